// Why a check could not run, in the four categories an orchestrator acts on:
// `unavailable` and `timeout` are worth a retry, `config` needs a person, and
// `internal` is a plugin fault. Plugins report a check that could not run as
// status error/timed_out with a FLOE-DQ code and the engine's message; this is
// the one place that reads them (docs/host.md, "Errors apart from failures").
import { status as grpcStatus } from "@grpc/grpc-js";
import { ContractViolation, type QualityCheckResult } from "../config/results.js";
import { FloeError } from "../errors/index.js";
import { PluginCallError } from "../plugins/client.js";

export const ERROR_CAUSES = ["unavailable", "timeout", "config", "internal"] as const;
export type ErrorCause = (typeof ERROR_CAUSES)[number];

/** A check (or dbt test) that could not run: its cause and whether a retry may succeed. */
export interface CheckError {
  check_name: string;
  source: "floe" | "dbt";
  cause: ErrorCause;
  retryable: boolean;
  /** The FLOE-DQ code of the check's error. */
  code: string;
  message: string;
  /** What to do about it. */
  fix: string;
}

/** Why a run's verdict is `error`: the deciding cause over its checks. */
export interface RunError {
  cause: ErrorCause;
  /** True when every check that could not run may succeed on a retry. */
  retryable: boolean;
  code: "FLOE-DQ108";
  message: string;
  fix: string;
}

/** What to do, per cause: the text the CLI prints and the `fix` of each error. */
export const CAUSE_FIX: Readonly<Record<ErrorCause, string>> = {
  unavailable:
    "The warehouse or the plugin could not be reached: retry once it answers (the data was not judged).",
  timeout:
    "The suite deadline passed first: retry, or raise check_timeout_seconds (or --timeout) or make the checks cheaper.",
  config:
    "Fix the configuration named in the message (relation, column, credentials or check), then run again; a retry alone cannot help.",
  internal:
    "The plugin failed unexpectedly: see the host and plugin logs; report it if it repeats.",
};

const RETRYABLE: Readonly<Record<ErrorCause, boolean>> = {
  unavailable: true,
  timeout: true,
  config: false,
  internal: false,
};

/** Codes that name a configuration mistake whatever the message says. */
const CONFIG_CODES = new Set([
  "FLOE-DQ001",
  "FLOE-DQ100",
  "FLOE-DQ101",
  "FLOE-DQ105",
  "FLOE-DQ107",
]);

/**
 * Engine and driver messages, checked in this order. Connection failures come
 * first: "relation x cannot be read: connect ECONNREFUSED" is an outage, not a
 * missing relation.
 */
const MESSAGE_CAUSES: ReadonlyArray<readonly [RegExp, ErrorCause]> = [
  [
    /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ETIMEDOUT)\b|connection terminated|connection timeout|timeout expired|could not connect|server closed the connection|the database system is (starting up|shutting down|in recovery)|too many (connections|clients)|could not set lock on file|conflicting lock/i,
    "unavailable",
  ],
  [/statement timeout|canceling statement due to|deadline exceeded|timed out/i, "timeout"],
  [
    /authentication failed|password authentication|no pg_hba\.conf entry|permission denied|access denied|does not exist|not found|no such (table|column|file)|catalog error|binder error|cannot be read|unknown column|invalid input syntax|parser error|syntax error/i,
    "config",
  ],
];

function classify(status: string, code: string, message: string): ErrorCause {
  if (status === "timed_out" || code === "FLOE-DQ106") return "timeout";
  if (CONFIG_CODES.has(code)) return "config";
  for (const [pattern, cause] of MESSAGE_CAUSES) if (pattern.test(message)) return cause;
  return "internal";
}

function checkError(
  name: string,
  source: CheckError["source"],
  cause: ErrorCause,
  code: string,
  message: string,
): CheckError {
  return {
    check_name: name,
    source,
    cause,
    retryable: RETRYABLE[cause],
    code,
    message,
    fix: CAUSE_FIX[cause],
  };
}

/** The error of a check that could not run (status error or timed_out); undefined for the others. */
export function checkErrorOf(
  result: Pick<QualityCheckResult, "check_name" | "status" | "error_code" | "error_message">,
  source: CheckError["source"] = "floe",
): CheckError | undefined {
  if (result.status !== "error" && result.status !== "timed_out") return undefined;
  const code = result.error_code ?? (result.status === "timed_out" ? "FLOE-DQ106" : "FLOE-DQ108");
  const message =
    result.error_message ??
    (result.status === "timed_out" ? "the check did not finish in time" : "the check did not run");
  return checkError(
    result.check_name,
    source,
    classify(result.status, code, message),
    code,
    message,
  );
}

/**
 * The cause of an error that stopped a whole suite (the plugin could not be
 * started or dialled, died, or broke the contract), for every check of it.
 */
export function suiteErrorCause(error: unknown): {
  cause: ErrorCause;
  code: string;
  message: string;
} {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PluginCallError) {
    const cause: ErrorCause =
      error.grpcCode === grpcStatus.UNAVAILABLE || error.grpcCode === grpcStatus.RESOURCE_EXHAUSTED
        ? "unavailable"
        : error.grpcCode === grpcStatus.DEADLINE_EXCEEDED || error.grpcCode === grpcStatus.CANCELLED
          ? "timeout"
          : classify("error", error.code, message);
    return { cause, code: error.code, message };
  }
  if (error instanceof ContractViolation) return { cause: "internal", code: "FLOE-DQ100", message };
  if (error instanceof FloeError) {
    return { cause: classify("error", error.code, message), code: error.code, message };
  }
  return { cause: "internal", code: "FLOE-DQ108", message };
}

/** A check error for every check of a suite that `error` stopped before it ran. */
export function suiteCheckErrors(names: readonly string[], error: unknown): CheckError[] {
  const { cause, code, message } = suiteErrorCause(error);
  return names.map((name) => checkError(name, "floe", cause, code, message));
}

/** Which cause decides a run's: the one a person must act on first. */
const PRECEDENCE: readonly ErrorCause[] = ["config", "internal", "unavailable", "timeout"];

/** The run's error from the errors of its checks (at least one). */
export function runErrorOf(errors: readonly CheckError[], model: string): RunError {
  const cause = PRECEDENCE.find((c) => errors.some((e) => e.cause === c)) ?? "internal";
  const retryable = errors.every((e) => e.retryable);
  const counts = ERROR_CAUSES.filter((c) => errors.some((e) => e.cause === c))
    .map((c) => `${errors.filter((e) => e.cause === c).length} ${c}`)
    .join(", ");
  const first = errors.find((e) => e.cause === cause)!;
  return {
    cause,
    retryable,
    code: "FLOE-DQ108",
    message: `model ${model}: ${errors.length} check(s) could not run (${counts}${retryable ? "; retryable" : ""}): ${first.check_name}: ${first.message}`,
    fix: CAUSE_FIX[cause],
  };
}
