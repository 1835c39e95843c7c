// Every run-time verdict rule: whether enough checks ran to judge the data, the
// product's thresholds and the tier gate's min_score (checked here and nowhere
// else), and the run's gate result. Pure.
import type { GateTier, QualityThresholds, Severity, Tier } from "../config/quality.js";
import type { CheckStatus, GateResult } from "../config/results.js";

export const VERDICTS = ["pass", "warn", "fail", "error"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface VerdictOutcome {
  verdict: Verdict;
  /** Why the run failed or warns, one sentence each; empty on pass and error. */
  violations: string[];
}

/** 82.5 → "82.5", 82.123456 → "82.12": scores as people read them. */
export function formatScore(score: number): string {
  return String(Math.round(score * 100) / 100);
}

/** What the error rule reads of a check or dbt test. */
export interface JudgedCheck {
  readonly severity: Severity;
  readonly status: CheckStatus;
}

const COULD_NOT_RUN = new Set<CheckStatus>(["error", "timed_out"]);

/**
 * The error rule: the data cannot be judged when a critical check could not
 * run, or when at least half of the checks that were tried (every status but
 * skipped) could not run. Then the run has no score and its verdict is `error`.
 */
export function cannotJudge(checks: readonly JudgedCheck[]): boolean {
  const tried = checks.filter((c) => c.status !== "skipped");
  const notRun = tried.filter((c) => COULD_NOT_RUN.has(c.status));
  if (notRun.length === 0) return false;
  return notRun.some((c) => c.severity === "critical") || 2 * notRun.length >= tried.length;
}

/**
 * `fail` when the score is below `min_score` or below the tier gate's
 * `min_score`; else `warn` below `warn_score`; else `pass`.
 */
export function decideVerdict(
  overall: number,
  thresholds: QualityThresholds,
  tier: Tier,
  gate: GateTier,
): VerdictOutcome {
  const score = formatScore(overall);
  const failures: string[] = [];
  if (overall < thresholds.min_score) {
    failures.push(`score ${score} is below min_score ${thresholds.min_score}`);
  }
  const tierViolation = minScoreViolation(overall, tier, gate);
  if (tierViolation !== undefined) failures.push(tierViolation);
  if (failures.length > 0) return { verdict: "fail", violations: failures };
  if (overall < thresholds.warn_score) {
    return {
      verdict: "warn",
      violations: [`score ${score} is below warn_score ${thresholds.warn_score}`],
    };
  }
  return { verdict: "pass", violations: [] };
}

function minScoreViolation(overall: number, tier: Tier, gate: GateTier): string | undefined {
  return overall < gate.min_score
    ? `score ${formatScore(overall)} is below the ${tier} gate's min_score ${gate.min_score}`
    : undefined;
}

/**
 * The run's gate: the coverage gate with the tier's min_score applied to this
 * run's score. Without a score (verdict error) the min_score is not judged.
 */
export function runGate(
  coverage: GateResult,
  overall: number | undefined,
  gate: GateTier,
): GateResult {
  const below = overall === undefined ? undefined : minScoreViolation(overall, coverage.tier, gate);
  return {
    ...coverage,
    passed: coverage.passed && below === undefined,
    violations: below === undefined ? [...coverage.violations] : [...coverage.violations, below],
  };
}

/** Exit code of a verdict: 0 pass or warn, 1 fail, 3 error (could not run). */
export function exitCodeOf(verdict: Verdict): 0 | 1 | 3 {
  return verdict === "error" ? 3 : verdict === "fail" ? 1 : 0;
}

/** The exit code of several runs: the worst one, 3 > 1 > 0. */
export function rollUpExitCodes(codes: readonly number[]): number {
  const rank = (c: number) => (c === 3 ? 3 : c === 1 ? 2 : c === 0 ? 1 : 4);
  return codes.reduce((worst, c) => (rank(c) > rank(worst) ? c : worst), 0);
}
