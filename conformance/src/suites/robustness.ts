// Robustness: an empty suite, a thousand checks, and names that would break SQL
// built by string splicing.
import { contract } from "@floe/quality-sdk";
import { declares, needsFixture, primaryFixture, type SuiteContext } from "../context.js";
import { CUSTOMERS, HOSTILE_COLUMN, HOSTILE_TABLE } from "../fixture/data.js";
import { customersRelation, fixtureCases, hostileRelation } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, fail } from "../framework.js";
import { checkOf, runRequest, suiteOf } from "../requests.js";
import { type RunOutcome, runChecks } from "../rpc.js";
import { RUN_DEADLINE_MS } from "./run-checks.js";

const MANY = 1_000;
const HOSTILE_CHECK_NAME = `it's "quoted"; -- and ${"\u00e9"}`;

function streamOk(what: string, outcome: RunOutcome): void {
  if (outcome.error !== undefined)
    fail(what, "results and a summary", `${outcome.error.grpcCodeName}: ${outcome.error.message}`);
  if (outcome.summary === undefined) fail(what, "a summary", "no summary");
}

function needsNotNull(ctx: SuiteContext): string | undefined {
  return needsFixture(ctx) ?? (declares(ctx, "not_null") ? undefined : "not_null is not declared");
}

const counts = (r: contract.QualityCheckResult | undefined) =>
  r === undefined
    ? "no result"
    : { passed: r.passed, checked: r.recordsChecked, failed: r.recordsFailed };

export const robustnessGroup: ConformanceGroup = {
  name: "robustness",
  about: "an empty suite, 1 000 checks, hostile identifiers",
  requires: needsFixture,
  tests: [
    {
      name: "an empty suite ends with a passing summary and no results",
      async run(ctx) {
        const fixture = primaryFixture(ctx);
        const outcome = await runChecks(
          await ctx.clients(),
          runRequest(fixture, customersRelation(fixture), suiteOf([])),
          RUN_DEADLINE_MS,
        );
        streamOk("RunChecks with no checks", outcome);
        expectEqual("results", 0, outcome.results.length);
        expectEqual("summary.passed", true, outcome.summary?.passed);
      },
    },
    {
      name: `${MANY} checks in one suite each get their exact result`,
      timeoutMs: 120_000,
      requires: (ctx) =>
        needsFixture(ctx) ??
        (fixtureCases(primaryFixture(ctx)).some((c) => declares(ctx, c.type))
          ? undefined
          : "no declared type has a fixture case"),
      async run(ctx) {
        const fixture = primaryFixture(ctx);
        // not_null when declared: the simplest row check, so this test is about volume only.
        const base =
          fixtureCases(fixture).find((c) => c.name === "nn_email" && declares(ctx, c.type)) ??
          fixtureCases(fixture).find(
            (c) => declares(ctx, c.type) && c.expected.records !== undefined,
          ) ??
          fixtureCases(fixture).find((c) => declares(ctx, c.type))!;
        const names = Array.from({ length: MANY }, (_, i) => `many_${String(i).padStart(4, "0")}`);
        const outcome = await runChecks(
          await ctx.clients(),
          runRequest(
            fixture,
            customersRelation(fixture),
            suiteOf(names.map((name) => checkOf(base, { name }))),
          ),
          110_000,
        );
        streamOk(`RunChecks with ${MANY} checks`, outcome);
        expectEqual("result names", names, outcome.results.map((r) => r.checkName).sort());
        const expected = base.expected.records
          ? {
              passed: base.expected.passed,
              checked: base.expected.records.checked,
              failed: base.expected.records.failed,
            }
          : undefined;
        const wrong = outcome.results.filter((r) =>
          expected === undefined
            ? r.passed !== base.expected.passed
            : JSON.stringify(counts(r)) !== JSON.stringify(expected),
        );
        expectEqual(
          `results differing from ${base.name}'s expectation`,
          [],
          wrong.slice(0, 5).map((r) => ({ name: r.checkName, ...Object(counts(r)) })),
        );
      },
    },
    {
      name: "hostile table, column and check names are quoted, not spliced",
      requires: needsNotNull,
      async run(ctx) {
        const fixture = primaryFixture(ctx);
        const clients = await ctx.clients();
        const check: contract.QualityCheck = checkOf({
          name: HOSTILE_CHECK_NAME,
          type: "not_null",
          column: HOSTILE_COLUMN,
          parameters: {},
          expected: { passed: false },
          about: "",
        });
        const outcome = await runChecks(
          clients,
          runRequest(fixture, hostileRelation(fixture), suiteOf([check])),
          RUN_DEADLINE_MS,
        );
        streamOk(`RunChecks on table ${JSON.stringify(HOSTILE_TABLE)}`, outcome);
        const result = outcome.results.find((r) => r.checkName === HOSTILE_CHECK_NAME);
        expectEqual(
          `not_null on column ${JSON.stringify(HOSTILE_COLUMN)} (3 rows, 1 null)`,
          { status: "CHECK_STATUS_FAILED", passed: false, checked: 3, failed: 1 },
          result === undefined
            ? "no result"
            : {
                status: contract.CheckStatus[result.status],
                passed: result.passed,
                checked: result.recordsChecked,
                failed: result.recordsFailed,
              },
        );
        const nnId = fixtureCases(fixture).find((c) => c.name === "nn_id")!;
        const after = await runChecks(
          clients,
          runRequest(fixture, customersRelation(fixture), suiteOf([checkOf(nnId)])),
          RUN_DEADLINE_MS,
        );
        expectEqual(
          `${CUSTOMERS} after the hostile run (not_null on id)`,
          { passed: true, checked: 10, failed: 0 },
          counts(after.results[0]),
        );
      },
    },
  ],
};
