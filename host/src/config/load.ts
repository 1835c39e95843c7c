// Reading config files: YAML or JSON (YAML 1.2 reads JSON too) parsed with source
// positions kept, validated by a zod schema, every problem turned into a Diagnostic
// naming the file, line:column, dotted path, FLOE-DQ code and fix.
import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type Diagnostic, diagnostic } from "../errors/index.js";
import {
  type DomainManifest,
  DomainManifestSchema,
  type EnterpriseManifest,
  EnterpriseManifestSchema,
  type Product,
  ProductSchema,
} from "./files.js";
import { floeIssueParams } from "./issue.js";
import { article, formatPath, issueMessage, type PathSegment } from "./messages.js";

export { formatPath, type PathSegment };

import { closestNames, didYouMean } from "./suggest.js";

/** A file's name and text: what the pure parsers take. */
export interface SourceText {
  file: string;
  text: string;
}

/** A parsed and validated file that can still point at its own lines. */
export interface LoadedFile<T> {
  file: string;
  value: T;
  /** `file:line:col` of the value at `path` (or of its nearest written parent). */
  locate(path: readonly PathSegment[]): string;
}

export type LoadResult<T> =
  | { ok: true; loaded: LoadedFile<T> }
  | { ok: false; diagnostics: Diagnostic[] };

/** Reads a file for a parser; a missing or unreadable file is a FLOE-DQ100 diagnostic. */
export async function readSourceText(file: string): Promise<SourceText | Diagnostic> {
  try {
    return { file, text: await readFile(file, "utf8") };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot read it";
    return diagnostic("FLOE-DQ100", `${reason}: ${(error as Error).message}`, {
      file,
      fix: "Check the path given on the command line.",
    });
  }
}

/** Parses YAML or JSON text and validates it with `schema`. Pure. */
export function parseConfigText<S extends z.ZodType>(
  source: SourceText,
  schema: S,
): LoadResult<z.output<S>> {
  const { file, text } = source;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };

  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) =>
        diagnostic("FLOE-DQ100", `not valid YAML/JSON: ${firstLine(e.message)}`, {
          file: at(e.pos[0]),
          fix: "Fix the syntax at the reported line (indentation, quotes, brackets, a missing ':').",
        }),
      ),
    };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      ok: false,
      diagnostics: [
        diagnostic("FLOE-DQ100", "the file is empty", {
          file,
          fix: "Write the file's settings (see examples/ and docs/configuration.md).",
        }),
      ],
    };
  }

  const locate = (path: readonly PathSegment[], key = false) =>
    at(offsetOf(doc.contents as Node, path, key));
  const knownKeys = new Map<string, string[]>();
  const parsed = schema.safeParse(doc.toJS({ maxAliasCount: 100 }), {
    error: (issue) => issueMessage(issue, knownKeys),
  });
  if (parsed.success) {
    return { ok: true, loaded: { file, value: parsed.data, locate: (p) => locate(p) } };
  }
  // Reported in the order of the file, so a reader fixes them top to bottom.
  const found: { offset: number; diagnostic: Diagnostic }[] = [];
  const offset = (path: readonly PathSegment[], key = false) =>
    offsetOf(doc.contents as Node, path, key) ?? Number.MAX_SAFE_INTEGER;
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter(
      (s): s is PathSegment => typeof s === "string" || typeof s === "number",
    );
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys.get(formatPath(path)) ?? [];
      for (const key of issue.keys) {
        const at = [...path, key];
        found.push({
          offset: offset(at, true),
          diagnostic: unknownKey(key, known, at, locate(at, true)),
        });
      }
      continue;
    }
    const floe = floeIssueParams(issue);
    found.push({
      offset: offset(path),
      diagnostic: diagnostic(floe?.floe_code ?? "FLOE-DQ100", issue.message, {
        file: locate(path),
        path: formatPath(path) || undefined,
        fix: floe?.fix ?? fixFor(issue, path),
      }),
    });
  }
  found.sort((a, b) => a.offset - b.offset);
  return { ok: false, diagnostics: found.map((f) => f.diagnostic) };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function unknownKey(key: string, known: string[], path: PathSegment[], file: string): Diagnostic {
  const close = closestNames(key, known);
  const fix = close[0]
    ? `Rename '${key}' to '${close[0]}', or remove it.`
    : `Remove '${key}'; allowed here: ${known.join(", ")}.`;
  return diagnostic("FLOE-DQ100", `unknown key '${key}'${didYouMean(key, known)}`, {
    file,
    path: formatPath(path),
    fix,
  });
}

/**
 * Offset of the node at `path` in the document, or of its nearest existing parent
 * when the path is not written (a missing required key). With `key`, the offset of
 * the last segment's key rather than its value.
 */
function offsetOf(root: Node, path: readonly PathSegment[], key: boolean): number | undefined {
  let node: unknown = root;
  let offset = (root as Node).range?.[0];
  for (const [i, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return offset;
      const keyNode = pair.key as Node;
      const last = i === path.length - 1;
      if (last && key) return keyNode.range?.[0];
      node = pair.value;
      offset = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0];
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (!item) return offset;
      node = item;
      offset = (item as Node).range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function fixFor(issue: z.core.$ZodIssue, path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  const name = typeof last === "number" ? formatPath(path.slice(-2)) : String(last ?? "the value");
  switch (issue.code) {
    case "invalid_type":
      return issue.message.startsWith("missing")
        ? `Add '${name}'.`
        : `Give '${name}' ${article(issue.expected)}.`;
    case "too_small":
    case "too_big":
      return `Give '${name}' a value in the allowed range (docs/configuration.md).`;
    case "invalid_value":
      return `Use one of: ${issue.values.map(String).join(", ")}.`;
    case "invalid_union": {
      const options = (issue as { options?: unknown[] }).options;
      return options
        ? `Use one of: ${options.map(String).join(", ")}.`
        : "Correct the value (see docs/configuration.md).";
    }
    case "custom":
      if (path[path.length - 1] === "dimension_weights") {
        return "Make completeness, accuracy, validity, consistency and timeliness sum to 1.";
      }
      return "Correct the value (see docs/configuration.md).";
    default:
      return "Correct the value (see docs/configuration.md).";
  }
}

export function parseEnterpriseManifest(source: SourceText): LoadResult<EnterpriseManifest> {
  return parseConfigText(source, EnterpriseManifestSchema);
}

export function parseDomainManifest(source: SourceText): LoadResult<DomainManifest> {
  return parseConfigText(source, DomainManifestSchema);
}

export function parseProduct(source: SourceText): LoadResult<Product> {
  return parseConfigText(source, ProductSchema);
}
