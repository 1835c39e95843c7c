// What `run` and `demo` print for people: a table per model (checks and dbt
// tests, observed values, samples, why a check could not run), the score and
// verdict with what to do, and a summary table over several models.
import { readFile } from "node:fs/promises";
import type { QualityCheckResult } from "../config/results.js";
import { FloeError } from "../errors/index.js";
import { formatScore } from "../gates/verdict.js";
import {
  CAUSE_FIX,
  type CheckError,
  ERROR_CAUSES,
  type ModelRun,
  type QualityRunOutcome,
} from "../runtime/index.js";
import { tableLines } from "./output.js";

/** A file's text; an unreadable one is FLOE-DQ100 naming it and what it should be. */
export async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new FloeError(
      "FLOE-DQ100",
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`,
      { file, fix: `Give the path of the ${what}.` },
    );
  }
}

const STATUS_LABEL: Readonly<Record<string, string>> = {
  passed: "pass",
  failed: "FAIL",
  error: "ERROR",
  timed_out: "TIMEOUT",
  skipped: "skip",
};

/** Values as people read them: numbers rounded, text quoted, at most 60 characters. */
function formatValue(value: unknown): string {
  const text =
    typeof value === "number" ? formatScore(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function noteOf(check: QualityCheckResult, error: CheckError | undefined): string {
  if (error !== undefined) {
    return `${error.cause}${error.retryable ? ", retryable" : ""}: ${error.message.split("\n")[0]}`;
  }
  return check.error_message ?? "";
}

function rowOf(
  check: QualityCheckResult,
  source: "floe" | "dbt",
  error: CheckError | undefined,
): string[] {
  const observed = check.details.observed_value;
  return [
    STATUS_LABEL[check.status] ?? check.status,
    check.check_name,
    source === "dbt"
      ? `dbt ${check.check_type ?? String(check.details.test_name ?? "singular")}`
      : (check.check_type ?? ""),
    check.column ?? "(table)",
    check.dimension,
    check.severity,
    check.status === "skipped" || error !== undefined
      ? ""
      : source === "dbt"
        ? String(check.records_failed)
        : `${check.records_failed}/${check.records_checked}`,
    observed === undefined ? "" : formatValue(observed),
    noteOf(check, error),
  ];
}

/** `    samples: "a@x", "b@y"` under a failing check that has them. */
function sampleLine(check: QualityCheckResult): string[] {
  const samples = check.details.failing_samples;
  if (check.status !== "failed" || !Array.isArray(samples) || samples.length === 0) return [];
  return [`      samples of ${check.check_name}: ${samples.map(formatValue).join(", ")}`];
}

/** A table per check and dbt test, then the dimension scores, the score and the verdict. */
export function renderRunOutcome(outcome: QualityRunOutcome): string {
  const errors = new Map(outcome.errors.map((e) => [`${e.source}:${e.check_name}`, e]));
  const header = [
    "status",
    "check",
    "type",
    "column",
    "dimension",
    "severity",
    "failed",
    "observed",
    "note",
  ];
  const all: Array<[QualityCheckResult, "floe" | "dbt"]> = [
    ...outcome.suiteResult.checks.map((c): [QualityCheckResult, "floe"] => [c, "floe"]),
    ...outcome.dbtTests.map((t): [QualityCheckResult, "dbt"] => [t, "dbt"]),
  ];
  const rows = all.map(([c, source]) => rowOf(c, source, errors.get(`${source}:${c.check_name}`)));
  const table = tableLines([header, ...rows]);
  const lines = [
    `${outcome.model} (${outcome.qualityTier}, ${outcome.provider}): ${counts(outcome)}`,
  ];
  all.forEach(([check], i) => {
    lines.push(`  ${table[i + 1]}`);
    lines.push(...sampleLine(check));
  });
  lines.splice(1, 0, `  ${table[0]}`);
  const s = outcome.score;
  if (s !== null) {
    const dimensions = Object.entries(s.dimension_scores)
      .map(([d, v]) => `${d} ${formatScore(v)}`)
      .join(", ");
    lines.push(`  dimensions: ${dimensions}`);
  }
  const gate = outcome.gate;
  lines.push(
    `  gate ${gate.tier}: coverage ${formatScore(gate.coverage_actual)}% (≥${formatScore(gate.coverage_required)}%)` +
      (gate.missing_tests.length > 0 ? `, missing ${gate.missing_tests.join(", ")}` : ""),
  );
  if (outcome.error !== null) {
    lines.push(
      `  no score → ERROR: ${outcome.errors.length} check(s) could not run` +
        ` (${outcome.error.cause}${outcome.error.retryable ? ", retryable" : ", not retryable"})`,
    );
  } else if (s !== null) {
    lines.push(
      `  score ${formatScore(s.overall)} → ${outcome.verdict.toUpperCase()}` +
        (outcome.violations.length > 0 ? ` (${outcome.violations.join("; ")})` : ""),
    );
  }
  for (const cause of ERROR_CAUSES) {
    const n = outcome.errors.filter((e) => e.cause === cause).length;
    if (n > 0) lines.push(`  ${cause} (${n}): ${CAUSE_FIX[cause]}`);
  }
  return lines.join("\n");
}

function counts(outcome: QualityRunOutcome): string {
  const checks = outcome.suiteResult.checks;
  const n = (status: string, list: readonly QualityCheckResult[]) =>
    list.filter((c) => c.status === status).length;
  const notRun = (list: readonly QualityCheckResult[]) => n("error", list) + n("timed_out", list);
  const parts = [`${n("passed", checks)} passed, ${n("failed", checks)} failed`];
  if (notRun(checks) > 0) parts[0] += `, ${notRun(checks)} could not run`;
  const dbt = outcome.dbtTests;
  if (dbt.length > 0) {
    parts.push(
      `dbt tests ${n("passed", dbt)} passed, ${n("failed", dbt)} failed` +
        (notRun(dbt) > 0 ? `, ${notRun(dbt)} could not run` : ""),
    );
  }
  return parts.join("; ");
}

/** One line per model and the rolled-up exit code. */
export function renderRunSummary(runs: readonly ModelRun[], exitCode: number): string {
  const rows = runs.map((r) => {
    const o = r.outcome;
    if (o === undefined) {
      return [r.model, "", "", "", "", "CONFIG ERROR", r.failure?.code ?? ""];
    }
    const checks = o.suiteResult.checks;
    const notRun = o.errors.length;
    return [
      o.model,
      o.qualityTier,
      `${checks.filter((c) => c.status === "passed").length}/${checks.filter((c) => c.status !== "skipped").length}`,
      o.dbtTests.length > 0
        ? `${o.dbtTests.filter((c) => c.status === "passed").length}/${o.dbtTests.filter((c) => c.status !== "skipped").length}`
        : "-",
      o.score === null ? "-" : formatScore(o.score.overall),
      o.verdict.toUpperCase(),
      o.error !== null
        ? `${o.error.cause}${o.error.retryable ? ", retryable" : ""}`
        : notRun > 0
          ? `${notRun} could not run`
          : "",
    ];
  });
  return [
    ...tableLines([["model", "tier", "checks", "dbt tests", "score", "verdict", "note"], ...rows]),
    `exit code ${exitCode}`,
  ].join("\n");
}
