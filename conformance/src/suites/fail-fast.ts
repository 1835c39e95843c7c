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
import { SLOW_COLUMN } from "../fixture/data.js";
import { customersRelation, fixtureCases, slowRelation } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, fail, SkipTest } from "../framework.js";
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

// Generous: the slow scans never end on their own, so a plugin that honours fail_fast
// answers long before this; on a loaded 2-core CI machine 10 s was once too little for
// the failing check itself to come back, and the scans were reported TIMED_OUT.
const SLOW_TIMEOUT_S = 30;

/** A scan of the slow relation's id column, of the first declared type that fits. */
function slowCheckCase(ctx: SuiteContext): CheckCase {
  const choices: CheckCase[] = [
    {
      name: "",
      type: "not_null",
      column: SLOW_COLUMN,
      parameters: {},
      expected: { passed: true },
      about: "",
    },
    {
      name: "",
      type: "between",
      column: SLOW_COLUMN,
      parameters: { min_value: 0 },
      expected: { passed: true },
      about: "",
    },
    {
      name: "",
      type: "accepted_values",
      column: SLOW_COLUMN,
      parameters: { values: [1] },
      expected: { passed: true },
      about: "",
    },
    {
      name: "",
      type: "row_count_between",
      column: "",
      parameters: { min_value: 1 },
      expected: { passed: true },
      about: "",
    },
  ];
  const choice = choices.find((c) => declares(ctx, c.type));
  if (choice === undefined)
    throw new SkipTest("declares none of not_null, between, accepted_values, row_count_between");
  return choice;
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
      name: "skips the remaining work after the first failed check when fail_fast is set",
      timeoutMs: 30_000,
      async run(ctx) {
        // An instant failure (a missing column) before scans that never end on
        // their own: only fail_fast can finish this run before its deadline.
        if (!declares(ctx, "column_exists")) throw new SkipTest("column_exists is not declared");
        const fixture = primaryFixture(ctx);
        const scan = slowCheckCase(ctx);
        const checks = [
          checkOf({
            name: "ff_missing_column",
            type: "column_exists",
            column: "no_such_column",
            parameters: {},
            expected: { passed: false },
            about: "",
          }),
          ...Array.from({ length: 3 }, (_, i) => checkOf(scan, { name: `ff_slow_${i}` })),
        ];
        const outcome = await runChecks(
          await ctx.clients(),
          runRequest(
            fixture,
            slowRelation(fixture),
            suiteOf(checks, { failFast: true, timeoutSeconds: SLOW_TIMEOUT_S }),
          ),
          SLOW_TIMEOUT_S * 1000,
        );
        if (outcome.error !== undefined)
          fail(
            "RunChecks with fail_fast",
            "results and a summary",
            `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
          );
        const statuses = Object.fromEntries(
          outcome.results.map((r) => [r.checkName, statusName(r.status)]),
        );
        expectEqual(
          "statuses with fail_fast",
          {
            ff_missing_column: "CHECK_STATUS_FAILED",
            ff_slow_0: "CHECK_STATUS_SKIPPED",
            ff_slow_1: "CHECK_STATUS_SKIPPED",
            ff_slow_2: "CHECK_STATUS_SKIPPED",
          },
          statuses,
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
