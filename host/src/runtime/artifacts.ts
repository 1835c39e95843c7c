// The one reader of compiled artifacts (a file, JSON text, or a parsed value):
// validated against the contract's schema once per request, one FloeError
// otherwise; for text, the error names the file's line and column.
import { readFile } from "node:fs/promises";
import { FloeError } from "@floe/quality-sdk";
import {
  ARTIFACTS_VERSION,
  type CompiledArtifacts,
  CompiledArtifactsSchema,
} from "../compile/artifacts.js";
import { parseConfigText } from "../config/load.js";

/** Validated artifacts, or FLOE-DQ100 naming the field (another contract version included). */
export function parseArtifacts(value: unknown, file?: string): CompiledArtifacts {
  const parsed = CompiledArtifactsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  if (path === "version") {
    const found = (value as { version?: unknown } | null)?.version;
    throw new FloeError(
      "FLOE-DQ100",
      `compiled artifacts of contract version ${JSON.stringify(found ?? null)}; this host reads ${ARTIFACTS_VERSION}`,
      {
        ...(file === undefined ? {} : { file }),
        path: "version",
        fix: `Recompile with this floe-quality (floe-quality compile) to get ${ARTIFACTS_VERSION} artifacts.`,
      },
    );
  }
  throw new FloeError("FLOE-DQ100", `invalid compiled artifacts: ${issue?.message ?? "invalid"}`, {
    ...(file === undefined ? {} : { file }),
    path: path || "(root)",
    fix: "Pass the compiled_artifacts.json written by floe-quality compile.",
  });
}

/** Artifacts from JSON text; `file` names the source in errors. */
export function parseArtifactsJson(text: string, file?: string): CompiledArtifacts {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FloeError(
      "FLOE-DQ100",
      `compiled artifacts are not JSON: ${(error as Error).message}`,
      {
        ...(file === undefined ? {} : { file }),
        fix: "Pass the compiled_artifacts.json written by floe-quality compile.",
      },
    );
  }
  try {
    return parseArtifacts(value, file);
  } catch (error) {
    throw located(error as FloeError, text, file);
  }
}

/** The error with `file:line:col` of the field at fault (found again only on this error path). */
function located(error: FloeError, text: string, file: string | undefined): FloeError {
  if (file === undefined) return error;
  const result = parseConfigText({ file, text }, CompiledArtifactsSchema);
  const at = result.ok ? undefined : result.diagnostics.find((d) => d.path === error.path);
  if (at?.file === undefined) return error;
  return new FloeError(error.code, error.message, {
    file: at.file,
    ...(error.path === undefined ? {} : { path: error.path }),
    fix: error.fix,
  });
}

/** Artifacts from a file; an unreadable file is FLOE-DQ100 naming it. */
export async function readArtifactsFile(file: string): Promise<CompiledArtifacts> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FloeError("FLOE-DQ100", `cannot read the compiled artifacts (${reason})`, {
      file,
      fix: "Give the path of compiled_artifacts.json (floe-quality compile --out).",
    });
  }
  return parseArtifactsJson(text, file);
}
