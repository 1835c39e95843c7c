// One suite run: write the suite into the connection's dbt project, run one
// `dbt test` over its tests, and map dbt's results back to the suite's checks by
// meta.floe_check (live from dbt's log, then run_results.json + manifest.json),
// with the counts of floe_counts as records_checked.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type contract,
  FloeError,
  type PluginLogger,
  parseDbtTestResults,
} from "@floe/quality-sdk";
import { cancelPostgresQueries } from "./columns.js";
import { findDbtExecutable } from "./executable.js";
import { takeSlot } from "./lock.js";
import { type DbtLogEvent, runDbt } from "./process.js";
import {
  connectionKey,
  dialectOf,
  PASSWORD_ENV,
  type PlannedCheck,
  planSuite,
  projectFiles,
  type SuitePlan,
} from "./project.js";
import { checkResultsOf, LiveResults, skippedResult } from "./results.js";
import { ensureProject, packageHash, workRoot, writeFileAtomic } from "./workdir.js";

export interface RunnerOptions {
  /** The dbt executable (default: FLOE_DBT, the project venv, PATH). */
  readonly dbt?: string;
  /** Where projects are generated (default: FLOE_DBT_WORKDIR or the OS temp dir). */
  readonly workRoot?: string;
  /** dbt --threads (default 4). */
  readonly threads?: number;
  /** dbt invocations that may run at once on one project (default 4). */
  readonly slots?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: PluginLogger;
}

const DEFAULT_SLOTS = 4;

export class DbtSuiteRunner {
  private readonly options: RunnerOptions;
  private readonly env: NodeJS.ProcessEnv;
  private readonly packageVersion = packageHash();

  constructor(options: RunnerOptions = {}) {
    this.options = options;
    this.env = options.env ?? process.env;
  }

  get executable(): string {
    return this.options.dbt ?? findDbtExecutable(this.env);
  }

  /** The project directory of a connection (created on first use). */
  projectDirectory(connection: contract.Connection): string {
    return join(
      this.options.workRoot ?? workRoot(this.env),
      `${connectionKey(connection)}-${this.packageVersion}`,
    );
  }

  /**
   * Runs the suite. Results reach `emit` as dbt finishes each test; the promise
   * resolves to the results not emitted that way (those that needed the run's
   * artifacts). Rejects with `signal.reason` when the signal fires.
   */
  async run(
    request: contract.RunChecksRequest,
    signal: AbortSignal,
    emit: (result: contract.QualityCheckResult) => void = () => undefined,
    deadline?: Date,
  ): Promise<contract.QualityCheckResult[]> {
    const { suite, connection } = request;
    if (!suite || !connection) {
      throw new FloeError("FLOE-DQ100", "RunChecks needs a suite and a connection", {
        path: "suite",
      });
    }
    const plan = planSuite(suite, request.relation, connection);
    for (const check of suite.checks) {
      if (!check.enabled) emit(skippedResult(check, "the check is disabled"));
    }
    return this.runInProject(
      this.projectDirectory(connection),
      plan,
      connection,
      signal,
      emit,
      deadline,
    );
  }

  private async runInProject(
    dir: string,
    plan: SuitePlan,
    connection: contract.Connection,
    signal: AbortSignal,
    emit: (result: contract.QualityCheckResult) => void,
    deadline: Date | undefined,
  ): Promise<contract.QualityCheckResult[]> {
    if (signal.aborted) throw signal.reason;
    const dialect = dialectOf(connection);
    if (dialect === "duckdb" && !existsSync(connection.path)) {
      // dbt-duckdb would create an empty database there and every check would error.
      throw new FloeError("FLOE-DQ100", `the DuckDB file ${connection.path} does not exist`, {
        path: "compute.path",
        fix: "Point the connection at an existing DuckDB database file.",
      });
    }
    const applicationName = `floe-dbt-${connectionKey(connection)}`;
    const threads = this.options.threads ?? 4;
    const project = ensureProject(dir, projectFiles(connection, { threads, applicationName }));
    writeFileAtomic(join(project, plan.file), plan.content);
    const slot = await takeSlot(project, this.options.slots ?? DEFAULT_SLOTS, signal);
    try {
      return await this.testInProject(project, plan, connection, signal, emit, {
        applicationName,
        threads,
        deadline,
        slot: slot.slot,
      });
    } finally {
      slot.release();
    }
  }

  /** One `dbt test` of the suite's tests in a project this process holds the lock of. */
  private async testInProject(
    project: string,
    plan: SuitePlan,
    connection: contract.Connection,
    signal: AbortSignal,
    emit: (result: contract.QualityCheckResult) => void,
    settings: {
      applicationName: string;
      threads: number;
      deadline: Date | undefined;
      slot: number;
    },
  ): Promise<contract.QualityCheckResult[]> {
    const { applicationName, threads, deadline, slot } = settings;
    const dialect = dialectOf(connection);
    const target = join(project, `target-${slot}`);
    const runResultsPath = join(target, "run_results.json");
    const manifestPath = join(target, "manifest.json");
    rmSync(runResultsPath, { force: true });

    // fail_fast: the first failed check stops dbt; the checks not reported by then are skipped.
    const stop = new AbortController();
    const live = new LiveResults(plan.checks, emit, plan.failFast ? () => stop.abort() : undefined);
    const flushTimer = flushBefore(deadline, () => live.flush());
    const started = performance.now();
    let outcome: Awaited<ReturnType<typeof runDbt>>;
    try {
      outcome = await runDbt(
        {
          executable: this.executable,
          args: [
            "test",
            "--project-dir",
            project,
            "--profiles-dir",
            project,
            "--select",
            plan.selector,
            "--threads",
            String(threads),
            "--log-format",
            "json",
            "--no-use-colors",
            "--target-path",
            target,
            "--log-path",
            join(project, `logs-${slot}`),
          ],
          cwd: project,
          env: {
            ...this.env,
            // The host resolved the password; a plugin never resolves `${env:…}` itself.
            [PASSWORD_ENV]: connection.password,
            ...(dialect === "postgres" ? { PGOPTIONS: readOnlyPgOptions(this.env.PGOPTIONS) } : {}),
            DBT_SEND_ANONYMOUS_USAGE_STATS: "false",
            DBT_VERSION_CHECK: "false",
          },
          signal: AbortSignal.any([signal, stop.signal]),
        },
        (event) => {
          live.take(event.name, event.msg, event.data);
          this.options.log?.debug("dbt", { event: event.name, msg: event.msg });
        },
      );
    } catch (error) {
      clearTimeout(flushTimer);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES") {
        throw new FloeError("FLOE-DQ001", `cannot run dbt: ${this.executable} (${code})`, {
          fix: "Run scripts/setup.sh (it installs dbt into .venv), or set FLOE_DBT to the dbt executable.",
        });
      }
      throw error;
    }
    clearTimeout(flushTimer);
    if (outcome.aborted) {
      if (dialect === "postgres") {
        await cancelPostgresQueries(connection, connection.password, applicationName).catch(
          (error: Error) =>
            this.options.log?.warn("could not cancel dbt's PostgreSQL queries", {
              error: error.message,
            }),
        );
      }
      if (signal.aborted) throw signal.reason;
      const firstFailure = live.firstFailure ?? "";
      return plan.checks
        .filter((planned) => !live.reported.has(planned.check.name))
        .map((planned) =>
          skippedResult(
            planned.check,
            `not run: fail_fast stopped the suite after check ${JSON.stringify(firstFailure)} failed`,
          ),
        );
    }
    if (!existsSync(runResultsPath))
      throw dbtFailure(outcome.events, outcome.rawOutput, plan, project, connection);
    const parsed = parseDbtTestResults(
      readFileSync(runResultsPath, "utf8"),
      readFileSync(manifestPath, "utf8"),
      {
        runResultsFile: runResultsPath,
        manifestFile: manifestPath,
      },
    );
    this.options.log?.debug("dbt test finished", {
      elapsed_ms: Math.round(performance.now() - started),
      exit_code: outcome.exitCode,
    });
    return checkResultsOf(plan.checks, parsed, live.counts, live.reported);
  }
}

/**
 * A timer that runs `flush` shortly before `deadline` (ahead of the SDK, which
 * stops taking results a little before it).
 */
function flushBefore(deadline: Date | undefined, flush: () => void): NodeJS.Timeout | undefined {
  if (deadline === undefined) return undefined;
  const remaining = deadline.getTime() - Date.now();
  const lead = Math.max(500, remaining * 0.1);
  return setTimeout(flush, Math.max(0, remaining - lead));
}

/** dbt stopped before running the tests (no connection, a compilation or project error): say where and why. */
function dbtFailure(
  events: readonly DbtLogEvent[],
  rawOutput: string,
  plan: SuitePlan,
  project: string,
  connection: contract.Connection,
): FloeError {
  const messages = events.filter((e) => e.level === "error").map((e) => e.msg.trim());
  const text =
    [...messages, rawOutput.trim()].filter((m) => m !== "").join("\n") ||
    "dbt exited without results";
  if (/Database Error|could not connect|connection to server|Connection refused/i.test(text)) {
    const where =
      dialectOf(connection) === "duckdb"
        ? connection.path
        : `${connection.host || "localhost"}:${connection.port || 5432}/${connection.database} as ${connection.user}`;
    return new FloeError("FLOE-DQ100", `dbt could not connect to ${where}: ${text}`, {
      file: join(project, "profiles.yml"),
      path: "compute",
      fix: "Check the connection's host, port, database, user and password, and that the warehouse accepts connections.",
    });
  }
  const culprit = plan.checks.find((c: PlannedCheck) => text.includes(c.testName));
  if (culprit) {
    return new FloeError(
      "FLOE-DQ101",
      `check ${JSON.stringify(culprit.check.name)} (${culprit.type}) could not be compiled by dbt: ${text}`,
      { file: join(project, plan.file), path: `quality_checks.${culprit.check.name}` },
    );
  }
  return new FloeError("FLOE-DQ100", `dbt test failed before running any test: ${text}`, {
    file: join(project, plan.file),
    fix: "Read dbt's message above; if the work directory is damaged, delete it (FLOE_DBT_WORKDIR) and run again.",
  });
}

/**
 * libpq's PGOPTIONS for dbt's PostgreSQL sessions: every transaction read-only,
 * as floe_sql's are, so no check's SQL (an expression, a filter) can write.
 * dbt test only reads; the operator's own PGOPTIONS are kept in front.
 */
export function readOnlyPgOptions(existing: string | undefined): string {
  const readOnly = "-c default_transaction_read_only=on";
  return existing === undefined || existing.trim() === "" ? readOnly : `${existing} ${readOnly}`;
}
