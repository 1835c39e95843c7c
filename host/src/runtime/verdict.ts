// The verdict of a scored run: the product's thresholds and the tier's gate. Pure.
import type { GateTier, QualityThresholds, Tier } from "../config/quality.js";

export type Verdict = "pass" | "warn" | "fail";

export interface VerdictOutcome {
  verdict: Verdict;
  /** Why the run failed or warns, one sentence each; empty on pass. */
  violations: string[];
}

/** 82.5 → "82.5", 82.123456 → "82.12": scores as people read them. */
export function formatScore(score: number): string {
  return String(Math.round(score * 100) / 100);
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
  if (overall < gate.min_score) {
    failures.push(`score ${score} is below the ${tier} gate's min_score ${gate.min_score}`);
  }
  if (failures.length > 0) return { verdict: "fail", violations: failures };
  if (overall < thresholds.warn_score) {
    return {
      verdict: "warn",
      violations: [`score ${score} is below warn_score ${thresholds.warn_score}`],
    };
  }
  return { verdict: "pass", violations: [] };
}
