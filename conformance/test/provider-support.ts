// Runs the whole suite against a shipped plugin found through discovery, and lists
// every test that did not pass (with its reason or failure) for exact assertions.
import type { Dialect } from "../src/fixture/index.js";
import { runConformance } from "../src/run.js";

export async function conformanceOfProvider(
  provider: string,
  dialect: Dialect,
  pgDsn?: string,
  sparkConnect?: string,
) {
  const report = await runConformance({
    target: { kind: "provider", provider },
    dialect,
    pgDsn,
    sparkConnect,
    focus: [],
    skip: [],
    junit: undefined,
    json: false,
  });
  const notPassed = report.groups.flatMap((g) =>
    g.tests
      .filter((t) => t.status !== "passed")
      .map((t) => ({ id: t.id, reason: t.reason, failure: t.failure })),
  );
  return { report, notPassed };
}
