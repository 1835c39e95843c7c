// Concurrency: eight RunChecks at once give the same answers as one alone.
import type { contract } from "@floe/quality-sdk";
import { declares, needsFixture, primaryFixture } from "../context.js";
import { customersRelation, fixtureCases } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, fail, SkipTest } from "../framework.js";
import { checkOf, runRequest, statusName, suiteOf } from "../requests.js";
import { type RunOutcome, runChecks } from "../rpc.js";

const PARALLEL = 8;

function fingerprint(outcome: RunOutcome): unknown {
  if (outcome.error !== undefined) return `${outcome.error.grpcCodeName}: ${outcome.error.message}`;
  return {
    summary: outcome.summary === undefined ? "none" : { passed: outcome.summary.passed },
    results: outcome.results
      .map((r: contract.QualityCheckResult) => ({
        name: r.checkName,
        status: statusName(r.status),
        passed: r.passed,
        checked: r.recordsChecked,
        failed: r.recordsFailed,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export const concurrencyGroup: ConformanceGroup = {
  name: "concurrency",
  about: `${PARALLEL} RunChecks in parallel, each answering like a run alone`,
  requires: needsFixture,
  tests: [
    {
      name: `${PARALLEL} parallel runs agree with a single run`,
      timeoutMs: 90_000,
      async run(ctx) {
        const fixture = primaryFixture(ctx);
        const cases = fixtureCases(fixture).filter((c) => declares(ctx, c.type));
        if (cases.length === 0) throw new SkipTest("no declared check type has a fixture case");
        const request = runRequest(
          fixture,
          customersRelation(fixture),
          suiteOf(cases.map((c) => checkOf(c))),
        );
        const clients = await ctx.clients();
        const alone = await runChecks(clients, request, 60_000);
        if (alone.error !== undefined)
          fail(
            "RunChecks alone",
            "results and a summary",
            `${alone.error.grpcCodeName}: ${alone.error.message}`,
          );
        const together = await Promise.all(
          Array.from({ length: PARALLEL }, () => runChecks(clients, request, 60_000)),
        );
        const expected = fingerprint(alone);
        together.forEach((outcome, i) => {
          expectEqual(
            `parallel run ${i + 1} of ${PARALLEL} against the run alone`,
            expected,
            fingerprint(outcome),
          );
        });
      },
    },
  ],
};
