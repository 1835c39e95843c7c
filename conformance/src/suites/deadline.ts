// Deadline: when the suite's deadline passes, unfinished checks come back
// TIMED_OUT (FLOE-DQ106) and the work really stops, within the deadline + 2 s.
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { contract } from "@floe/quality-sdk";
import {
  capabilitiesOf,
  declares,
  needsFixture,
  primaryFixture,
  type SuiteContext,
} from "../context.js";
import { SLOW_COLUMN } from "../fixture/data.js";
import { slowRelation } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail, SkipTest } from "../framework.js";
import { dimensionName, runRequest, severityName, statusName, suiteOf } from "../requests.js";
import { type RunOutcome, runChecks } from "../rpc.js";

/** Suite timeout of the cancellation test. */
const TIMEOUT_S = 3;
/**
 * Suite timeout of the TIMED_OUT test: long enough for the early margin plugins
 * keep (5 % of the time left, at most 250 ms) to reach its 250 ms cap.
 */
const REPORT_TIMEOUT_S = 5;
const GRACE_MS = 2_000;
/** Suite timeout of the cancellation test: never reached, the host cancels first. */
const CANCELLED_TIMEOUT_S = 60;
const CANCEL_AFTER_MS = 1_500;
/**
 * A cancelled plugin is nearly idle (a few ms of CPU, a garbage collection or the
 * tail of its cancelled call: up to 0.2 s seen on a loaded machine); one still
 * scanning uses a core or more, and well over a quarter of one even when it
 * shares a busy machine with other work.
 */
const CPU_WINDOW_MS = 2_000;
const IDLE_CPU_SECONDS = 0.5;

/** A check on the slow relation's `id` column, of the first declared type that fits. */
function slowCheck(ctx: SuiteContext): contract.QualityCheck {
  const choices: { type: string; column: string; parameters: Record<string, unknown> }[] = [
    { type: "not_null", column: SLOW_COLUMN, parameters: {} },
    { type: "row_count_between", column: "", parameters: { min_value: 1 } },
    { type: "between", column: SLOW_COLUMN, parameters: { min_value: 0 } },
    { type: "accepted_values", column: SLOW_COLUMN, parameters: { values: [1] } },
    { type: "unique", column: SLOW_COLUMN, parameters: {} },
  ];
  const choice = choices.find((c) => declares(ctx, c.type));
  if (choice === undefined)
    throw new SkipTest(
      "declares none of not_null, row_count_between, between, accepted_values, unique",
    );
  return {
    name: "slow_check",
    ...choice,
    dimension: contract.Dimension.DIMENSION_COMPLETENESS,
    severity: contract.Severity.SEVERITY_WARNING,
    customWeight: undefined,
    enabled: true,
  };
}

async function runPastDeadline(
  ctx: SuiteContext,
  timeoutS: number,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const fixture = primaryFixture(ctx);
  const suite = suiteOf([slowCheck(ctx)], { timeoutSeconds: timeoutS });
  return runChecks(
    await ctx.clients(),
    runRequest(fixture, slowRelation(fixture), suite),
    timeoutS * 1000,
    signal,
  );
}

/** CPU seconds the process uses in the next CPU_WINDOW_MS. */
async function cpuUsed(pid: number): Promise<number> {
  const before = cpuSeconds(pid);
  await delay(CPU_WINDOW_MS);
  const later = cpuSeconds(pid);
  if (before === undefined || later === undefined)
    throw new SkipTest("the plugin's CPU time cannot be read from /proc on this system");
  return later - before;
}

/**
 * The plugin's pid, on a process that is idle: work an earlier test left running
 * (a scan the deadline did not stop, already reported there) is that test's
 * failure, so this test starts a fresh process instead of measuring it.
 */
async function idlePlugin(ctx: SuiteContext): Promise<number | undefined> {
  const pid = await observable(ctx);
  if (pid === undefined || primaryFixture(ctx).activeSlowQueries !== undefined) return pid;
  if ((await cpuUsed(pid)) < IDLE_CPU_SECONDS) return pid;
  await (await ctx.session()).stop();
  return (await ctx.session()).pid();
}

/** Skip reason when the work of the plugin cannot be observed from outside. */
async function observable(ctx: SuiteContext): Promise<number | undefined> {
  const fixture = primaryFixture(ctx);
  const pid = (await ctx.session()).pid();
  if (fixture.activeSlowQueries === undefined && pid === undefined)
    throw new SkipTest(
      "the work of a sidecar on DuckDB cannot be observed; run with --dialect postgres --pg-dsn",
    );
  return pid;
}

/**
 * Judges by cause: no query on the slow relation left (PostgreSQL), or an idle
 * plugin process (DuckDB), once the plugin has had `GRACE_MS` to stop.
 */
async function expectWorkStopped(
  ctx: SuiteContext,
  pid: number | undefined,
  after: string,
  leftoverQueries = 0,
) {
  const fixture = primaryFixture(ctx);
  if (fixture.activeSlowQueries !== undefined) {
    const active = await fixture.activeSlowQueries();
    expectTrue(
      `queries on the slow relation still active in pg_stat_activity ${after}`,
      active <= leftoverQueries,
      leftoverQueries === 0
        ? "0"
        : `at most the ${leftoverQueries} left running by an earlier test`,
      active,
    );
    return;
  }
  const used = await cpuUsed(pid!);
  expectTrue(
    `CPU used by the plugin in the ${CPU_WINDOW_MS / 1000} s ${after}`,
    used < IDLE_CPU_SECONDS,
    `under ${IDLE_CPU_SECONDS} s (idle)`,
    `${used.toFixed(2)} s: still working`,
  );
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of proc(5) (utime, stime), counted after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export const deadlineGroup: ConformanceGroup = {
  name: "deadline",
  about:
    "TIMED_OUT with FLOE-DQ106 and the check's fields at the deadline, work cancelled within deadline + 2 s or 2 s after the host cancels",
  requires: (ctx) =>
    needsFixture(ctx) ??
    (capabilitiesOf(ctx)?.cancellation ? undefined : "capabilities.cancellation is not claimed"),
  tests: [
    {
      name: "reports unfinished checks as TIMED_OUT with FLOE-DQ106 before the deadline",
      async run(ctx) {
        let outcome = await runPastDeadline(ctx, REPORT_TIMEOUT_S);
        // One late delivery can be the machine's fault (a stalled scheduler), two are the plugin's.
        if (outcome.error?.grpcCodeName === "DEADLINE_EXCEEDED")
          outcome = await runPastDeadline(ctx, REPORT_TIMEOUT_S);
        if (outcome.error !== undefined)
          fail(
            `the stream at the ${REPORT_TIMEOUT_S} s deadline`,
            "the TIMED_OUT results and the summary, sent just before the deadline",
            `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
          );
        const result = outcome.results.find((r) => r.checkName === "slow_check");
        const check = slowCheck(ctx);
        expectEqual(
          "the unfinished check",
          {
            status: "CHECK_STATUS_TIMED_OUT",
            error_code: "FLOE-DQ106",
            passed: false,
            has_error_message: true,
            dimension: dimensionName(check.dimension),
            severity: severityName(check.severity),
            check_type: check.type,
            column: check.column,
          },
          result === undefined
            ? "no result"
            : {
                status: statusName(result.status),
                error_code: result.errorCode,
                passed: result.passed,
                has_error_message: (result.errorMessage ?? "") !== "",
                dimension: dimensionName(result.dimension),
                severity: severityName(result.severity),
                check_type: result.checkType,
                column: result.column,
              },
        );
        expectEqual("summary.passed", false, outcome.summary?.passed);
      },
    },
    {
      name: "stops the cancelled work within the deadline + 2 s",
      timeoutMs: 30_000,
      async run(ctx) {
        const pid = await observable(ctx);
        const started = Date.now();
        await runPastDeadline(ctx, TIMEOUT_S);
        await delay(Math.max(0, started + TIMEOUT_S * 1000 + GRACE_MS - Date.now()));
        await expectWorkStopped(ctx, pid, "after deadline + 2 s");
      },
    },
    {
      name: "stops the work of a call the host cancels before its deadline",
      timeoutMs: 60_000,
      async run(ctx) {
        const pid = await idlePlugin(ctx);
        const leftover = (await primaryFixture(ctx).activeSlowQueries?.()) ?? 0;
        const cancel = new AbortController();
        // A deadline far away: only the cancellation can stop this run.
        const run = runPastDeadline(ctx, CANCELLED_TIMEOUT_S, cancel.signal);
        await delay(CANCEL_AFTER_MS);
        cancel.abort();
        const outcome = await run;
        expectEqual(
          "how the cancelled stream ended on the host's side",
          "CANCELLED",
          outcome.error?.grpcCodeName ?? "OK (the plugin finished a never-ending scan?)",
        );
        await delay(GRACE_MS);
        await expectWorkStopped(ctx, pid, "after the cancellation + 2 s", leftover);
      },
    },
  ],
};
