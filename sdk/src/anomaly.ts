// The anomaly check's rule (check type `anomaly`): today's value of a metric
// against the same check's values in the run history. One place: plugins that run
// the type call `judgeAnomaly`; docs/report.md explains the method.
//
// Robust z-score (Iglewicz and Hoaglin's modified z): with m the median of the
// history and MAD the median absolute deviation from m,
//   z = 0.6745 · (value − m) / MAD;
// when MAD is 0 (more than half the history is one value) the mean absolute
// deviation stands in: z = (value − m) / (1.253314 · MeanAD); when that is 0 too
// (a constant history), any other value has an infinite z. The check fails when
// |z| > max_z AND the relative change |value − m| / |m| exceeds
// min_relative_change (a change below that bound is never an anomaly, however
// flat the history). Fewer than min_history values: skipped, not failed.

/** The metrics an anomaly check can watch. */
export const ANOMALY_METRICS = [
  "row_count",
  "null_fraction",
  "mean",
  "distinct_count",
  "freshness",
] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

/** Defaults of the anomaly check's parameters. */
export const ANOMALY_DEFAULTS = {
  /** Runs of history compared with (the newest ones). */
  lookback_runs: 30,
  /** Fewer values than this: the check is skipped. */
  min_history: 7,
  /** |robust z| above this is an outlier (3.5, Iglewicz and Hoaglin). */
  max_z: 3.5,
  /** A relative change to the median at or below this is never an anomaly. */
  min_relative_change: 0.1,
} as const;

export interface AnomalyParameters {
  lookback_runs?: number | undefined;
  min_history?: number | undefined;
  max_z?: number | undefined;
  min_relative_change?: number | undefined;
}

export interface AnomalyJudgement {
  status: "passed" | "failed" | "skipped";
  /** Why it was skipped, for the result's message. */
  reason?: string;
  details: {
    observed_value: number;
    history_length: number;
    median?: number;
    mad?: number;
    robust_z?: number | null;
    relative_change?: number | null;
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** JSON cannot carry Infinity: an unbounded z or change is reported as null. */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Today's `value` against `history` (oldest first; only the newest lookback_runs count). */
export function judgeAnomaly(
  value: number,
  history: readonly number[],
  parameters: AnomalyParameters = {},
): AnomalyJudgement {
  const lookback = parameters.lookback_runs ?? ANOMALY_DEFAULTS.lookback_runs;
  const minHistory = parameters.min_history ?? ANOMALY_DEFAULTS.min_history;
  const maxZ = parameters.max_z ?? ANOMALY_DEFAULTS.max_z;
  const minChange = parameters.min_relative_change ?? ANOMALY_DEFAULTS.min_relative_change;
  const window = history.filter(Number.isFinite).slice(-lookback);
  if (window.length < minHistory) {
    return {
      status: "skipped",
      reason: `history too short: ${window.length} earlier run(s), the check needs ${minHistory} (min_history)`,
      details: { observed_value: value, history_length: window.length },
    };
  }
  const m = median(window);
  const deviations = window.map((x) => Math.abs(x - m));
  const mad = median(deviations);
  const diff = value - m;
  let z: number;
  if (mad > 0) z = (0.6745 * diff) / mad;
  else {
    const meanAd = deviations.reduce((a, b) => a + b, 0) / window.length;
    z = meanAd > 0 ? diff / (1.253314 * meanAd) : diff === 0 ? 0 : Math.sign(diff) * Infinity;
  }
  const change = m === 0 ? (diff === 0 ? 0 : Infinity) : Math.abs(diff) / Math.abs(m);
  const anomalous = Math.abs(z) > maxZ && change > minChange;
  return {
    status: anomalous ? "failed" : "passed",
    details: {
      observed_value: value,
      history_length: window.length,
      median: m,
      mad,
      robust_z: finite(z),
      relative_change: finite(change),
    },
  };
}
