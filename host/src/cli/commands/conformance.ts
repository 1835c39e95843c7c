// `floe-quality conformance`: the conformance suite, loaded by package name at
// run time (the suite depends on the host, so the host must not depend on it at
// build time).
import { UsageError } from "../output.js";

const PACKAGE = "@floe/quality-conformance";

export async function run(argv: string[]): Promise<number> {
  let suite: { runCli(argv: readonly string[]): Promise<number> };
  try {
    suite = (await import(PACKAGE)) as typeof suite;
  } catch (error) {
    throw new UsageError(
      `the conformance suite (${PACKAGE}) is not installed or not built: ${(error as Error).message}. Run \`npm run build\` in the workspace.`,
    );
  }
  return suite.runCli(argv);
}
