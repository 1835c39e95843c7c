// Reading a product's files for compile: the `contract:` files floe.yaml names
// (relative to floe.yaml), and the one-file project of `run --config`: floe.yaml
// compiled in memory on the built-in enterprise defaults.
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import { compileProject } from "../compile/compile.js";
import { BUILT_IN_ENTERPRISE } from "../config/defaults.js";
import { readSourceText, type SourceText } from "../config/load.js";
import { type Diagnostic, diagnostic } from "../errors/index.js";
import type { CompileOutcome } from "./commands/compile.js";

/** A path written in `file`, resolved from that file's directory. */
export function resolveFrom(file: string, written: string): string {
  return isAbsolute(written) ? written : resolve(dirname(file), written);
}

/** The contract files `product` names, read relative to it; unreadable ones become diagnostics. */
export async function readContracts(
  product: SourceText,
): Promise<Map<string, SourceText | Diagnostic>> {
  let written: unknown;
  try {
    written = (parse(product.text, { maxAliasCount: 100 }) as { contract?: unknown } | null)
      ?.contract;
  } catch {
    // Compile reports the syntax error with its line; there is nothing to read here.
    return new Map();
  }
  const names = (Array.isArray(written) ? written : [written]).filter(
    (n): n is string => typeof n === "string" && n !== "",
  );
  const out = new Map<string, SourceText | Diagnostic>();
  for (const name of names) {
    const file = resolveFrom(product.file, name);
    const read = await readSourceText(file);
    out.set(
      name,
      "text" in read
        ? read
        : diagnostic("FLOE-DQ100", `cannot read contract ${name}: ${read.message}`, {
            file: product.file,
            path: "contract",
            fix: "Give the path of an ODCS v3 contract, relative to floe.yaml.",
          }),
    );
  }
  return out;
}

/**
 * floe.yaml alone, compiled in memory: the built-in enterprise defaults (floe_sql,
 * the seed's thresholds and gates) under the product, its contracts joined in.
 */
export async function compileOneFile(
  file: string,
  knownProviders: readonly string[],
): Promise<CompileOutcome> {
  const product = await readSourceText(file);
  if (!("text" in product)) return { ok: false, diagnostics: [product] };
  return compileProject({
    enterprise: BUILT_IN_ENTERPRISE,
    product,
    contracts: await readContracts(product),
    knownProviders,
  });
}
