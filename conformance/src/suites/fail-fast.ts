// fail_fast: the run stops at the first failed check.
import { contract } from "@floe/quality-sdk";
import {
  capabilitiesOf,
  declares,
  needsFixture,
  primaryFixture,
  type SuiteContext,
} from "../context.js";
import type { CheckCase } from "../fixture/data.js";
import { customersRelation, fixtureCases } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail, SkipTest } from "../framework.js";
import { checkOf, runRequest, statusName, suiteOf } from "../requests.js";
import { runChecks } from "../rpc.js";
import { RUN_DEADLINE_MS } from "./run-checks.js";

const FOLLOWERS = 20;

/** A failing case of a declared type, then FOLLOWERS passing cases of the same type. */
function failingThenPassing(ctx: SuiteContext): { failing: CheckCase; passing: CheckCase } {
  const cases = fixtureCases(primaryFixture(ctx)).filter((c) => declares(ctx, c.type));
  for (const failing of cases.filter((c) => !c.expected.passed)) {
    const passing = cases.find((c) => c.type === failing.type && c.expected.passed);
    if (passing !== undefined) return { failing, passing };
  }
  throw new SkipTest("no declared check type has both a failing and a passing fixture case");
}

async function runFailFast(ctx: SuiteContext, failFast: boolean) {
  const { failing, passing } = failingThenPassing(ctx);
  const checks = [
    checkOf(failing, { name: "ff_first_fails" }),
    ...Array.from({ length: FOLLOWERS }, (_, i) => checkOf(passing, { name: `ff_then_${i}` })),
  ];
  const fixture = primaryFixture(ctx);
  const outcome = await runChecks(
    await ctx.clients(),
    runRequest(fixture, customersRelation(fixture), suiteOf(checks, { failFast })),
    RUN_DEADLINE_MS,
  );
  if (outcome.error !== undefined)
    fail(
      "RunChecks",
      "results and a summary",
      `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
    );
  return outcome;
}

const executed = (r: contract.QualityCheckResult) =>
  r.status === contract.CheckStatus.CHECK_STATUS_PASSED ||
  r.status === contract.CheckStatus.CHECK_STATUS_FAILED;

export const failFastGroup: ConformanceGroup = {
  name: "fail-fast",
  about: "fail_fast stops the run at the first failed check",
  requires: (ctx) =>
    needsFixture(ctx) ??
    (capabilitiesOf(ctx)?.failFast ? undefined : "capabilities.fail_fast is not claimed"),
  tests: [
    {
      name: "stops after the first failed check when fail_fast is set",
      async run(ctx) {
        const outcome = await runFailFast(ctx, true);
        const first = outcome.results.find((r) => r.checkName === "ff_first_fails");
        expectEqual(
          "status of the first (failing) check",
          "CHECK_STATUS_FAILED",
          first ? statusName(first.status) : "no result",
        );
        const ranAfter = outcome.results.filter(
          (r) => r.checkName !== "ff_first_fails" && executed(r),
        ).length;
        expectTrue(
          `checks executed after the failure (of ${FOLLOWERS})`,
          ranAfter < FOLLOWERS,
          `fewer than ${FOLLOWERS}; the others SKIPPED or absent`,
          ranAfter,
        );
        expectEqual("summary.passed", false, outcome.summary?.passed);
      },
    },
    {
      name: "runs every check when fail_fast is not set",
      async run(ctx) {
        const outcome = await runFailFast(ctx, false);
        expectEqual("checks executed", FOLLOWERS + 1, outcome.results.filter(executed).length);
      },
    },
  ],
};
