// Concurrency: eight RunChecks at once give the same answers as one alone, and
// runs of different suites at once each get their own answers (no crosstalk).
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
    {
      name: `${PARALLEL} parallel runs of different suites each get their own answers`,
      timeoutMs: 90_000,
      async run(ctx) {
        const fixture = primaryFixture(ctx);
        const cases = fixtureCases(fixture).filter((c) => declares(ctx, c.type));
        if (cases.length < 2) throw new SkipTest("fewer than two declared check types have cases");
        // Two different suites (alternate cases), and in each run its own check names:
        // an answer that reaches the wrong stream shows as a foreign name or count.
        const halves = [0, 1].map((h) => cases.filter((_, i) => i % 2 === h));
        const requestOf = (half: number, prefix: string) =>
          runRequest(
            fixture,
            customersRelation(fixture),
            suiteOf(halves[half]!.map((c) => checkOf(c, { name: `${prefix}${c.name}` }))),
          );
        const clients = await ctx.clients();
        const alone: unknown[] = [];
        for (const half of [0, 1]) {
          const outcome = await runChecks(clients, requestOf(half, `solo_`), 60_000);
          if (outcome.error !== undefined)
            fail(
              `RunChecks alone (suite ${half + 1})`,
              "results and a summary",
              `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
            );
          alone.push(fingerprint(outcome));
        }
        const together = await Promise.all(
          Array.from({ length: PARALLEL }, (_, i) =>
            runChecks(clients, requestOf(i % 2, `run${i + 1}_`), 60_000),
          ),
        );
        together.forEach((outcome, i) => {
          const own = `run${i + 1}_`;
          const renamed = fingerprint({
            ...outcome,
            results: outcome.results.map((r) => ({
              ...r,
              checkName: r.checkName.startsWith(own)
                ? `solo_${r.checkName.slice(own.length)}`
                : r.checkName,
            })),
          });
          expectEqual(
            `parallel run ${i + 1} of ${PARALLEL} (suite ${(i % 2) + 1}) against that suite run alone`,
            alone[i % 2],
            renamed,
          );
        });
      },
    },
  ],
};
