// RunChecks semantics: for every declared check type, the exact outcome of each
// fixture case (records_checked, records_failed, passed), including `mostly`
// and null handling.
import { CHECK_TYPES, contract } from "@floe/quality-sdk";
import { declares, needsFixture, primaryFixture, type SuiteContext } from "../context.js";
import type { CheckCase } from "../fixture/data.js";
import { customersRelation, fixtureCases } from "../fixture/index.js";
import {
  type ConformanceGroup,
  type ConformanceTest,
  ExpectationFailure,
  fail,
} from "../framework.js";
import { checkOf, runRequest, statusName, suiteOf } from "../requests.js";
import { runChecks } from "../rpc.js";

export const RUN_DEADLINE_MS = 30_000;

/** What the plugin reported for a case, in the shape of the expectation. */
function observed(result: contract.QualityCheckResult | undefined, c: CheckCase): unknown {
  if (result === undefined) return "no result";
  if (
    result.status !== contract.CheckStatus.CHECK_STATUS_PASSED &&
    result.status !== contract.CheckStatus.CHECK_STATUS_FAILED
  ) {
    return `${statusName(result.status)} ${result.errorCode} ${result.errorMessage ?? ""}`.trim();
  }
  return c.expected.records === undefined
    ? { passed: result.passed }
    : {
        passed: result.passed,
        records: { checked: result.recordsChecked, failed: result.recordsFailed },
      };
}

/** Runs the cases and fails with every case whose outcome differs. */
export async function expectCaseOutcomes(
  ctx: SuiteContext,
  cases: readonly CheckCase[],
): Promise<void> {
  const fixture = primaryFixture(ctx);
  const outcome = await runChecks(
    await ctx.clients(),
    runRequest(fixture, customersRelation(fixture), suiteOf(cases.map((c) => checkOf(c)))),
    RUN_DEADLINE_MS,
  );
  if (outcome.error !== undefined)
    fail(
      "RunChecks",
      "a stream of results and a summary",
      `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
    );
  const byName = new Map(outcome.results.map((r) => [r.checkName, r]));
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  for (const c of cases) {
    const got = observed(byName.get(c.name), c);
    if (JSON.stringify(got) !== JSON.stringify(c.expected)) {
      expected[`${c.name} (${c.about})`] = c.expected;
      actual[`${c.name} (${c.about})`] = got;
    }
  }
  const wrong = Object.keys(expected);
  if (wrong.length > 0) {
    throw new ExpectationFailure(
      `${wrong.length} of ${cases.length} cases differ`,
      expected,
      actual,
    );
  }
}

/** The test of one check type's exact outcomes on the fixture (exported for the suite's own tests). */
export function semanticsTest(type: string): ConformanceTest {
  return {
    name: type,
    requires: (ctx) =>
      declares(ctx, type) ? undefined : "not declared in capabilities.check_types",
    async run(ctx) {
      const cases = fixtureCases(primaryFixture(ctx)).filter((c) => c.type === type);
      // A declared type the fixture has no case for would pass without a single check.
      if (cases.length === 0) {
        fail(
          "the fixture",
          `at least one case of check type ${type} (conformance/src/fixture/data.ts)`,
          "no case",
        );
      }
      await expectCaseOutcomes(ctx, cases);
    },
  };
}

export const runChecksGroup: ConformanceGroup = {
  name: "run-checks",
  about:
    "exact records_checked / records_failed / passed per check type on the fixture, with mostly and nulls",
  requires: needsFixture,
  tests: CHECK_TYPES.map((spec) => semanticsTest(spec.type)),
};
