// Running a suite on one relation: the fused scan, the batched set checks and
// the column list run concurrently; each check's result is yielded as soon as
// the statement that answers it returns (its failed checks wait for one more
// statement that samples all their failing values together). A fused statement
// the database rejects is retried check by check so only the culprit reports
// the error.
import { contract, dimensionToWire, lookupCheckType, uncountedResult } from "@floe/quality-sdk";
import {
  aggregateStatement,
  type CheckOutcome,
  displayRelation,
  errorOutcome,
  type PlanContext,
  type PlannedStatement,
  queryKindOf,
  type RelationName,
  type ResolvedCheck,
  readSamples,
  resolveCheck,
  sampleStatement,
  samplesStatement,
  setStatement,
  storedIdentifier,
} from "./compile/index.js";
import { type Engine, QueryCancelledError } from "./engines/engine.js";

type QualityCheck = contract.QualityCheck;
type QualityCheckResult = contract.QualityCheckResult;
const { CheckStatus, Dimension } = contract;

/** Failing values sampled per failed check when RunOptions does not say. */
export const DEFAULT_MAX_FAILING_SAMPLES = 5;

/** Fused scans are split above this many checks to stay far below column-count limits. */
const MAX_CHECKS_PER_SCAN = 200;

export interface SuiteRun {
  readonly engine: Engine;
  readonly relation: RelationName;
  readonly checks: readonly QualityCheck[];
  readonly failFast?: boolean;
  readonly maxFailingSamples?: number;
  readonly sensitiveColumns?: readonly string[];
  /** Fires on the suite deadline (or cancellation): running statements are cancelled in the database. */
  readonly signal?: AbortSignal;
}

interface Finished {
  readonly index: number;
  readonly result: QualityCheckResult;
}

/** Yields one result per check of the suite, in completion order. */
export async function* runSuite(run: SuiteRun): AsyncGenerator<QualityCheckResult> {
  const { engine, relation } = run;
  const ctx: PlanContext = {
    dialect: engine.dialect,
    relation,
    defaultSchema: engine.defaultSchema,
  };
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(run.signal?.reason);
  run.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (run.signal?.aborted) stop.abort(run.signal.reason);

  const queue = new ResultQueue();
  const pending = new Map<number, QualityCheck>(run.checks.map((c, i) => [i, c]));
  const resolved: ResolvedCheck[] = [];
  const immediate: Finished[] = [];
  run.checks.forEach((check, index) => {
    if (!check.enabled) {
      immediate.push({ index, result: skippedResult(check, "the check is disabled") });
      return;
    }
    const resolution = resolveCheck(check, index);
    if (resolution.ok) resolved.push(resolution.check);
    else {
      const message = resolution.problems.map((p) => p.message).join("; ");
      immediate.push({ index, result: errorResult(check, message, "FLOE-DQ101") });
    }
  });

  const fused: ResolvedCheck[] = [];
  const sets: ResolvedCheck[] = [];
  const schema: ResolvedCheck[] = [];
  for (const check of resolved) {
    const kind = queryKindOf(check, ctx);
    (kind === "set" ? sets : kind === "schema" ? schema : fused).push(check);
  }

  const maxSamples = run.maxFailingSamples ?? DEFAULT_MAX_FAILING_SAMPLES;
  const sensitive = new Set(run.sensitiveColumns ?? []);
  const wantsSamples = (outcome: CheckOutcome) =>
    outcome.status === "failed" &&
    outcome.recordsFailed > 0 &&
    maxSamples > 0 &&
    !stop.signal.aborted;
  const finish = (
    check: ResolvedCheck,
    outcome: CheckOutcome,
    elapsedMs: number,
    samples?: unknown[],
  ) => {
    const details =
      samples === undefined ? outcome.details : { ...outcome.details, failing_samples: samples };
    const original = run.checks[check.index] as QualityCheck;
    queue.push({
      index: check.index,
      result: outcomeResult(original, { ...outcome, details }, elapsedMs),
    });
  };
  /**
   * Failing samples of `checks`: one statement for all of them where the dialect
   * shares the scan (check by check only if it fails), else one statement per
   * check, concurrently.
   */
  const collectSamples = async (
    checks: readonly ResolvedCheck[],
    failedRows: ReadonlyMap<number, number>,
  ): Promise<Map<number, unknown[]>> => {
    const planned = samplesStatement(checks, maxSamples, sensitive, ctx, failedRows);
    if (planned === null) return new Map();
    if (ctx.dialect.sharedSamples) {
      try {
        return planned.read(await engine.query(planned.statement, stop.signal));
      } catch {
        // Samples are a convenience: the verdicts stand without them.
      }
    }
    const samples = new Map<number, unknown[]>();
    await Promise.all(
      planned.checks.map(async (check) => {
        const sample = sampleStatement(check, maxSamples, sensitive, ctx);
        if (sample === null || stop.signal.aborted) return;
        try {
          const rows = await engine.query(sample.statement, stop.signal);
          samples.set(check.index, readSamples(rows, sample.columns));
        } catch {
          // As above: this check is reported without samples.
        }
      }),
    );
    return samples;
  };
  /** Reports the outcomes of one statement: passing ones at once, failing ones with their samples. */
  const reportAll = async (
    outcomes: ReadonlyArray<readonly [ResolvedCheck, CheckOutcome, number]>,
  ): Promise<void> => {
    const sampling: Array<readonly [ResolvedCheck, CheckOutcome, number]> = [];
    for (const entry of outcomes) {
      if (wantsSamples(entry[1])) sampling.push(entry);
      else finish(...entry);
    }
    if (sampling.length === 0) return;
    const samples = await collectSamples(
      sampling.map(([check]) => check),
      new Map(sampling.map(([check, outcome]) => [check.index, outcome.recordsFailed])),
    );
    for (const [check, outcome, elapsed] of sampling)
      finish(check, outcome, elapsed, samples.get(check.index));
  };
  const report = (check: ResolvedCheck, outcome: CheckOutcome, elapsedMs: number) =>
    reportAll([[check, outcome, elapsedMs]]);

  const groups: Array<() => Promise<void>> = [];
  for (let i = 0; i < fused.length; i += MAX_CHECKS_PER_SCAN) {
    const chunk = fused.slice(i, i + MAX_CHECKS_PER_SCAN);
    groups.push(() => runGroup(chunk, (checks) => aggregateStatement(checks, ctx)));
  }
  if (sets.length > 0) groups.push(() => runGroup(sets, (checks) => setStatement(checks, ctx)));
  if (schema.length > 0) groups.push(() => runSchemaChecks(schema));

  async function runGroup(
    checks: readonly ResolvedCheck[],
    plan: (checks: readonly ResolvedCheck[]) => {
      planned: PlannedStatement | null;
      refused: Map<number, CheckOutcome>;
    },
    isolating = false,
  ): Promise<void> {
    const { planned, refused } = plan(checks);
    const reports: Array<Promise<void>> = [];
    for (const check of checks) {
      const outcome = refused.get(check.index);
      if (outcome) reports.push(report(check, outcome, 0));
    }
    if (planned === null) {
      await Promise.all(reports);
      return;
    }
    const started = performance.now();
    try {
      const [row] = await engine.query(planned.statement, stop.signal);
      const outcomes = planned.read(row ?? {});
      const elapsed = performance.now() - started;
      reports.push(
        reportAll(
          planned.checks.map(
            (check) =>
              [check, outcomes.get(check.index) ?? errorOutcome("no result"), elapsed] as const,
          ),
        ),
      );
      await Promise.all(reports);
      return;
    } catch (error) {
      if (error instanceof QueryCancelledError || stop.signal.aborted) {
        await Promise.all(reports);
        return;
      }
      if (isolating) {
        const check = planned.checks[0] as ResolvedCheck;
        reports.push(report(check, queryError(check, error), performance.now() - started));
        await Promise.all(reports);
        return;
      }
    }
    // The statement failed: find out whether the relation itself is the problem, else isolate the culprit.
    try {
      await engine.columnNames(relation, stop.signal);
    } catch (error) {
      if (!(error instanceof QueryCancelledError) && !stop.signal.aborted) {
        const message = `relation ${displayRelation(relation)} cannot be read: ${databaseMessage(error)}`;
        for (const check of planned.checks) reports.push(report(check, errorOutcome(message), 0));
      }
      await Promise.all(reports);
      return;
    }
    for (const check of planned.checks) {
      if (stop.signal.aborted) break;
      await runGroup([check], plan, true);
    }
    await Promise.all(reports);
  }

  async function runSchemaChecks(checks: readonly ResolvedCheck[]): Promise<void> {
    const started = performance.now();
    let columns: string[];
    try {
      columns = await engine.columnNames(relation, stop.signal);
    } catch (error) {
      if (error instanceof QueryCancelledError || stop.signal.aborted) return;
      const message = `relation ${displayRelation(relation)} cannot be read: ${databaseMessage(error)}`;
      await Promise.all(checks.map((c) => report(c, errorOutcome(message), 0)));
      return;
    }
    const present = new Set(columns);
    const elapsed = performance.now() - started;
    await Promise.all(
      checks.map((check) => {
        const exists =
          present.has(check.column) ||
          present.has(storedIdentifier(check.column, engine.dialect.name));
        const outcome: CheckOutcome = {
          status: exists ? "passed" : "failed",
          recordsChecked: 1,
          recordsFailed: exists ? 0 : 1,
          details: { observed_value: exists },
        };
        return report(check, outcome, elapsed);
      }),
    );
  }

  const work = (async () => {
    await Promise.all(groups.map((g) => g()));
  })().finally(() => queue.close());

  try {
    for (const finished of immediate) {
      pending.delete(finished.index);
      yield finished.result;
      if (run.failFast && isFailure(finished.result) && !stop.signal.aborted)
        stop.abort(failFastReason(finished));
    }
    for (;;) {
      const next = await queue.next(stop.signal);
      if (next === null) break;
      if (!pending.has(next.index)) continue;
      pending.delete(next.index);
      yield next.result;
      if (run.failFast && isFailure(next.result) && !stop.signal.aborted)
        stop.abort(failFastReason(next));
    }
    let broken: unknown;
    await work.catch((error: unknown) => {
      broken = error;
    });
    const reason: unknown = stop.signal.reason;
    for (const [, check] of pending) {
      if (reason instanceof FailFastStop) yield skippedResult(check, reason.message);
      else if (run.signal?.aborted) yield timedOutResult(check);
      else {
        const why = broken instanceof Error ? `: ${databaseMessage(broken)}` : "";
        yield errorResult(check, `floe_sql produced no result for this check${why}`, "FLOE-DQ102");
      }
    }
  } finally {
    run.signal?.removeEventListener("abort", onOuterAbort);
    if (!stop.signal.aborted) stop.abort(new Error("the run was abandoned"));
  }
}

class FailFastStop extends Error {}

function failFastReason(finished: Finished): FailFastStop {
  return new FailFastStop(
    `not run: fail_fast stopped the suite after check ${finished.result.checkName} did not pass`,
  );
}

function isFailure(result: QualityCheckResult): boolean {
  return (
    result.status === CheckStatus.CHECK_STATUS_FAILED ||
    result.status === CheckStatus.CHECK_STATUS_ERROR
  );
}

/** The first line of a database error: the part that explains it (DuckDB appends the SQL and a caret). */
function databaseMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? text).trim();
}

function queryError(check: ResolvedCheck, error: unknown): CheckOutcome {
  return errorOutcome(
    `${check.type} check failed to run: the database rejected its query: ${databaseMessage(error)}`,
  );
}

function dimensionOf(check: QualityCheck): contract.Dimension {
  if (check.dimension !== Dimension.DIMENSION_UNSPECIFIED) return check.dimension;
  const spec = lookupCheckType(check.type);
  return spec ? dimensionToWire(spec.dimension) : Dimension.DIMENSION_UNSPECIFIED;
}

function baseResult(check: QualityCheck): QualityCheckResult {
  return uncountedResult(check, { dimension: dimensionOf(check) });
}

const UNKNOWN_COLUMN = /column\b.*\b(does not exist|not found)/i;

function outcomeResult(
  check: QualityCheck,
  outcome: CheckOutcome,
  elapsedMs: number,
): QualityCheckResult {
  const result: QualityCheckResult = {
    ...baseResult(check),
    passed: outcome.status === "passed",
    recordsChecked: outcome.recordsChecked,
    recordsFailed: outcome.recordsFailed,
    executionTimeMs: elapsedMs,
    details: outcome.details,
  };
  if (outcome.status === "error") {
    const message = outcome.errorMessage ?? "the check could not run";
    return {
      ...result,
      status: CheckStatus.CHECK_STATUS_ERROR,
      errorMessage: message,
      errorCode: outcome.errorCode ?? (UNKNOWN_COLUMN.test(message) ? "FLOE-DQ105" : "FLOE-DQ102"),
    };
  }
  if (outcome.status === "skipped") {
    return {
      ...result,
      status: CheckStatus.CHECK_STATUS_SKIPPED,
      errorMessage: outcome.errorMessage ?? "",
    };
  }
  return {
    ...result,
    status:
      outcome.status === "passed"
        ? CheckStatus.CHECK_STATUS_PASSED
        : CheckStatus.CHECK_STATUS_FAILED,
  };
}

function errorResult(check: QualityCheck, message: string, code: string): QualityCheckResult {
  return {
    ...baseResult(check),
    status: CheckStatus.CHECK_STATUS_ERROR,
    errorMessage: message,
    errorCode: code,
  };
}

function skippedResult(check: QualityCheck, message: string): QualityCheckResult {
  return { ...baseResult(check), status: CheckStatus.CHECK_STATUS_SKIPPED, errorMessage: message };
}

export function timedOutResult(check: QualityCheck): QualityCheckResult {
  return {
    ...baseResult(check),
    status: CheckStatus.CHECK_STATUS_TIMED_OUT,
    errorMessage: "the check did not finish within the suite deadline; its query was cancelled",
    errorCode: "FLOE-DQ106",
  };
}

/** Results handed from the concurrent statements to the generator, in arrival order. */
class ResultQueue {
  private readonly items: Finished[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  push(item: Finished): void {
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next result; null when every statement is done or `signal` fired. */
  async next(signal: AbortSignal): Promise<Finished | null> {
    for (;;) {
      const item = this.items.shift();
      if (item) return item;
      if (this.closed || signal.aborted) return null;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        this.waiter = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
  }
}
