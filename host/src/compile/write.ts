// Artifacts on disk: written atomically (a temp file in the same directory, then a
// rename), so a reader never sees half a file; read back with the version checked.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseConfigText, readSourceText } from "../config/load.js";
import { DiagnosticsError } from "../errors/index.js";
import { ARTIFACTS_VERSION, type CompiledArtifacts, CompiledArtifactsSchema } from "./artifacts.js";

/** Writes `artifacts` to `file` atomically; creates the directory when missing. */
export async function writeArtifacts(file: string, artifacts: CompiledArtifacts): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(artifacts, null, 2)}\n`);
}

/** Writes `text` to `file` through a temp file and a rename: readers see the old file or the new one. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { flush: true });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Reads and validates compiled artifacts; another contract version is a FLOE-DQ100 diagnostic. */
export async function readArtifacts(file: string): Promise<CompiledArtifacts> {
  const source = await readSourceText(file);
  if (!("text" in source)) throw new DiagnosticsError([source]);
  const result = parseConfigText(source, CompiledArtifactsSchema);
  if (!result.ok) {
    throw new DiagnosticsError(
      result.diagnostics.map((d) =>
        d.path === "version"
          ? {
              ...d,
              fix: `Recompile with this floe-quality (floe-quality compile) to get ${ARTIFACTS_VERSION} artifacts.`,
            }
          : d,
      ),
    );
  }
  return result.loaded.value;
}
