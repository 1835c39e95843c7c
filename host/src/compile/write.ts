// Artifacts on disk: written atomically (a temp file in the same directory, then a
// rename), so a reader never sees half a file. They are read by runtime/artifacts.ts.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { CompiledArtifacts } from "./artifacts.js";

/** Writes `artifacts` to `file` atomically; creates the directory when missing. */
export async function writeArtifacts(file: string, artifacts: CompiledArtifacts): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(artifacts, null, 2)}\n`);
}

/** Writes `text` to `file` atomically (JUnit reports use it too); creates the directory. */
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
