// floe-quality-conformance (also `floe-quality conformance`): parse the options,
// run the suite, print the report, write JUnit, return the exit status.
import { renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FloeError } from "@floe/quality-sdk";
import { parseOptions, USAGE, UsageError } from "./options.js";
import { renderJUnit, renderText } from "./report.js";
import { runConformance } from "./run.js";

/** Writes through a temporary file and a rename, so a reader never sees half a report. */
function writeAtomically(file: string, content: string): void {
  const temp = join(dirname(file), `.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(temp, content);
  renameSync(temp, file);
}

export async function runCli(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`floe-quality-conformance: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const report = await runConformance(options);
    if (options.junit !== undefined) writeAtomically(options.junit, renderJUnit(report));
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report)}\n`,
    );
    return report.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof FloeError) {
      process.stderr.write(
        `floe-quality-conformance: ${error.code}: ${error.message}\n  fix: ${error.fix}\n`,
      );
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`floe-quality-conformance: ${message}\n`);
    return 1;
  }
}
