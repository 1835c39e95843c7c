// Result shape: one result per enabled check, names, type, column, dimension and
// severity echoed, `passed` consistent with the status, times non-negative,
// disabled checks absent or SKIPPED, and the summary last and consistent.
import { contract } from "@floe/quality-sdk";
import { declaredCheckTypes, needsFixture, primaryFixture, type SuiteContext } from "../context.js";
import { customersRelation, fixtureCases } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, fail } from "../framework.js";
import {
  checkOf,
  dimensionName,
  MODEL_NAME,
  runRequest,
  severityName,
  statusName,
  suiteOf,
} from "../requests.js";
import { type RunOutcome, runChecks } from "../rpc.js";
import { RUN_DEADLINE_MS } from "./run-checks.js";

const { Dimension, Severity, CheckStatus } = contract;

/** Dimensions chosen to differ from each type's default, so an echo is visible. */
const NOT_DEFAULT = [Dimension.DIMENSION_TIMELINESS, Dimension.DIMENSION_VALIDITY] as const;
const SEVERITIES = [
  Severity.SEVERITY_CRITICAL,
  Severity.SEVERITY_WARNING,
  Severity.SEVERITY_INFO,
] as const;

interface ShapeRun {
  checks: contract.QualityCheck[];
  outcome: RunOutcome;
}

let cached: { key: unknown; run: ShapeRun } | undefined;

/** One run of a suite mixing every declared type, severities, custom dimensions and a disabled check. */
async function shapeRun(ctx: SuiteContext): Promise<ShapeRun> {
  if (cached?.key === ctx) return cached.run;
  const fixture = primaryFixture(ctx);
  const declared = new Set(declaredCheckTypes(ctx));
  const firstOfType = new Map<string, ReturnType<typeof fixtureCases>[number]>();
  for (const c of fixtureCases(fixture)) {
    if (declared.has(c.type) && !firstOfType.has(c.type)) firstOfType.set(c.type, c);
  }
  const cases = [...firstOfType.values()];
  const checks = cases.map((c, i) =>
    checkOf(c, {
      name: `shape_${i}_${c.name}`,
      dimension: NOT_DEFAULT[i % 2]!,
      severity: SEVERITIES[i % 3]!,
      customWeight: i % 4 === 0 ? 2.5 : undefined,
    }),
  );
  if (cases[0] !== undefined) {
    checks.push(checkOf(cases[0], { name: "shape_disabled", enabled: false }));
  }
  const outcome = await runChecks(
    await ctx.clients(),
    runRequest(fixture, customersRelation(fixture), suiteOf(checks)),
    RUN_DEADLINE_MS,
  );
  if (outcome.error !== undefined)
    fail(
      "RunChecks",
      "results and a summary",
      `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
    );
  const run = { checks, outcome };
  cached = { key: ctx, run };
  return run;
}

const enabledOf = (run: ShapeRun) => run.checks.filter((c) => c.enabled);

/** Enabled checks that have a result: a missing result is the first test's failure, not every test's. */
const reportedOf = (run: ShapeRun) =>
  enabledOf(run).filter((c) => run.outcome.results.some((r) => r.checkName === c.name));

function resultFor(run: ShapeRun, name: string): contract.QualityCheckResult | undefined {
  return run.outcome.results.find((r) => r.checkName === name);
}

/** What an empty relation must not change: each check's status and counts. */
function verdicts(outcome: RunOutcome): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of [...outcome.results].sort((a, b) => a.checkName.localeCompare(b.checkName)))
    out[r.checkName] = {
      status: statusName(r.status),
      passed: r.passed,
      checked: r.recordsChecked,
      failed: r.recordsFailed,
    };
  return out;
}

export const resultShapeGroup: ConformanceGroup = {
  name: "result-shape",
  about: "one result per enabled check with its fields echoed, consistent statuses, summary last",
  requires: needsFixture,
  tests: [
    {
      name: "streams exactly one result per enabled check",
      async run(ctx) {
        const run = await shapeRun(ctx);
        // Every result counts, whatever its status: a second SKIPPED result for an
        // enabled check is as wrong as a missing one. Only the disabled check may vary.
        const disabled = new Set(run.checks.filter((c) => !c.enabled).map((c) => c.name));
        const reported = run.outcome.results
          .map((r) => r.checkName)
          .filter((name) => !disabled.has(name))
          .sort();
        expectEqual(
          "names of the streamed results",
          enabledOf(run)
            .map((c) => c.name)
            .sort(),
          reported,
        );
      },
    },
    {
      name: "reports a disabled check as SKIPPED or not at all",
      async run(ctx) {
        const run = await shapeRun(ctx);
        const disabled = resultFor(run, "shape_disabled");
        if (disabled !== undefined)
          expectEqual(
            "status of the disabled check",
            "CHECK_STATUS_SKIPPED",
            statusName(disabled.status),
          );
      },
    },
    {
      name: "echoes check_type and column",
      async run(ctx) {
        const run = await shapeRun(ctx);
        const expected = reportedOf(run).map((c) => ({
          name: c.name,
          type: c.type,
          column: c.column,
        }));
        const actual = reportedOf(run).map((c) => {
          const r = resultFor(run, c.name);
          return { name: c.name, type: r?.checkType, column: r?.column };
        });
        expectEqual("check_type and column of each result", expected, actual);
      },
    },
    {
      name: "echoes dimension, severity and custom_weight",
      async run(ctx) {
        const run = await shapeRun(ctx);
        const expected = reportedOf(run).map((c) => ({
          name: c.name,
          dimension: dimensionName(c.dimension),
          severity: severityName(c.severity),
          custom_weight: c.customWeight ?? null,
        }));
        const actual = reportedOf(run).map((c) => {
          const r = resultFor(run, c.name);
          return {
            name: c.name,
            dimension: r === undefined ? "no result" : dimensionName(r.dimension),
            severity: r === undefined ? "no result" : severityName(r.severity),
            custom_weight: r?.customWeight ?? null,
          };
        });
        expectEqual("dimension, severity and custom_weight of each result", expected, actual);
      },
    },
    {
      name: "passed agrees with status, counts are consistent, times non-negative",
      async run(ctx) {
        const run = await shapeRun(ctx);
        const wrong = run.outcome.results
          .filter((r) => r.status !== CheckStatus.CHECK_STATUS_SKIPPED)
          .filter(
            (r) =>
              r.passed !== (r.status === CheckStatus.CHECK_STATUS_PASSED) ||
              r.recordsChecked < 0 ||
              r.recordsFailed < 0 ||
              r.recordsFailed > Math.max(r.recordsChecked, 0) ||
              !(r.executionTimeMs >= 0),
          )
          .map((r) => ({
            name: r.checkName,
            passed: r.passed,
            status: statusName(r.status),
            records_checked: r.recordsChecked,
            records_failed: r.recordsFailed,
            execution_time_ms: r.executionTimeMs,
          }));
        expectEqual(
          "results with passed ≠ (status = PASSED), failed > checked, or a negative count or time",
          [],
          wrong,
        );
      },
    },
    {
      name: "an empty relation runs on the table the model names, as when the relation is named",
      async run(ctx) {
        const fixture = primaryFixture(ctx);
        const declared = new Set(declaredCheckTypes(ctx));
        const seen = new Set<string>();
        const checks = fixtureCases(fixture)
          .filter((c) => declared.has(c.type) && !seen.has(c.type) && seen.add(c.type))
          .map((c) => checkOf(c));
        // The model is named like the customers table, as a model's relation defaults to its name.
        const suite = { ...suiteOf(checks), modelName: customersRelation(fixture) };
        const clients = await ctx.clients();
        const named = await runChecks(
          clients,
          runRequest(fixture, customersRelation(fixture), suite),
          RUN_DEADLINE_MS,
        );
        const unnamed = await runChecks(clients, runRequest(fixture, "", suite), RUN_DEADLINE_MS);
        for (const [what, outcome] of [
          ["with the relation named", named],
          ['with relation ""', unnamed],
        ] as const) {
          if (outcome.error !== undefined)
            fail(
              `RunChecks ${what}`,
              "results and a summary",
              `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
            );
        }
        const broken = unnamed.results
          .filter(
            (r) =>
              r.status === CheckStatus.CHECK_STATUS_ERROR ||
              r.status === CheckStatus.CHECK_STATUS_TIMED_OUT,
          )
          .map(
            (r) => `${r.checkName}: ${statusName(r.status)} ${r.errorCode} ${r.errorMessage ?? ""}`,
          );
        expectEqual('checks that could not run with relation ""', [], broken);
        expectEqual(
          'each check\'s status and counts with relation "" against the relation named',
          verdicts(named),
          verdicts(unnamed),
        );
      },
    },
    {
      name: "ends with one summary that matches the streamed results",
      async run(ctx) {
        const run = await shapeRun(ctx);
        const summary = run.outcome.summary;
        if (summary === undefined) fail("summary", "a summary as the last message", "no summary");
        expectEqual("messages after the summary", 0, run.outcome.afterSummary);
        expectEqual("summary.model_name", MODEL_NAME, summary.modelName);
        const streamed = run.outcome.results
          .map((r) => `${r.checkName}:${statusName(r.status)}`)
          .sort();
        const summarized = summary.checks
          .map((r) => `${r.checkName}:${statusName(r.status)}`)
          .sort();
        expectEqual("summary.checks against the streamed results", streamed, summarized);
        const allPassed = run.outcome.results.every(
          (r) => r.passed || r.status === CheckStatus.CHECK_STATUS_SKIPPED,
        );
        expectEqual("summary.passed (every enabled check passed)", allPassed, summary.passed);
        expectEqual(
          "summary.execution_time_ms is non-negative",
          true,
          summary.executionTimeMs >= 0,
        );
      },
    },
  ],
};
