// Failing samples as they may leave the host: at most `sample_size` per check,
// values of sensitive columns replaced by a stable keyed hash as the result
// arrives from the plugin (before progress, output, lineage, traces or JUnit
// see it), and dropped from everything stored when `store_samples` is false.
import { createHmac } from "node:crypto";
import type { QualityConfig } from "../config/quality.js";
import type { QualityCheckResult } from "../config/results.js";

export interface SamplePolicy {
  /** Samples kept per failed check. */
  readonly size: number;
  /** False: samples stay on the terminal and are stripped from what is stored or sent. */
  readonly store: boolean;
  /** Whether a column's values must be masked. */
  sensitive(column: string): boolean;
  /** The masked form of a value. */
  mask(value: unknown): string;
}

/** The aggregate checks whose observed number says nothing about one row. */
const AGGREGATES = new Set([
  "mean_between",
  "sum_between",
  "stdev_between",
  "distinct_count_between",
]);

/**
 * The policy of one model. A sensitive entry names a column of any model
 * (`email`) or of one model (`customers.email`). The hash is an HMAC-SHA256 of
 * the value keyed with `key` (FLOE_SAMPLE_HASH_KEY), else with the product name:
 * stable across runs, so equal values still look equal.
 */
export function samplePolicy(
  config: Pick<QualityConfig, "sample_size" | "sensitive_columns" | "store_samples">,
  model: string,
  key: string,
): SamplePolicy {
  const sensitive = new Set(config.sensitive_columns);
  return {
    size: config.sample_size,
    store: config.store_samples,
    sensitive: (column) => sensitive.has(column) || sensitive.has(`${model}.${column}`),
    mask: (value) =>
      `masked:${createHmac("sha256", key)
        .update(typeof value === "string" ? value : JSON.stringify(value))
        .digest("hex")
        .slice(0, 16)}`,
  };
}

/** The columns a sample of this check reads when it is a bare value. */
function sampleColumn(result: QualityCheckResult): string | undefined {
  return result.column ?? undefined;
}

/**
 * The result with its samples cut to the policy's size and every value of a
 * sensitive column masked (samples, and the observed value of a check on such
 * a column unless it aggregates many rows).
 */
export function maskSamples(result: QualityCheckResult, policy: SamplePolicy): QualityCheckResult {
  const details = result.details;
  const samples = details.failing_samples;
  const observed = details.observed_value;
  const column = sampleColumn(result);
  const columnSensitive = column !== undefined && policy.sensitive(column);
  const maskObserved =
    columnSensitive &&
    observed !== undefined &&
    observed !== null &&
    !(typeof observed === "number" && AGGREGATES.has(result.check_type ?? ""));
  if (!Array.isArray(samples) && !maskObserved) return result;
  const next: Record<string, unknown> = { ...details };
  if (Array.isArray(samples)) {
    next.failing_samples = samples.slice(0, policy.size).map((sample) => {
      if (sample !== null && typeof sample === "object" && !Array.isArray(sample)) {
        return Object.fromEntries(
          Object.entries(sample).map(([key, value]) => [
            key,
            value !== null && policy.sensitive(key) ? policy.mask(value) : value,
          ]),
        );
      }
      return sample !== null && columnSensitive ? policy.mask(sample) : sample;
    });
    if (policy.size === 0) delete next.failing_samples;
  }
  if (maskObserved) next.observed_value = policy.mask(observed);
  return { ...result, details: next };
}

/** The result as it is stored or sent when `store_samples` is false. */
export function storedResult<T extends { details: Record<string, unknown> }>(
  result: T,
  policy: Pick<SamplePolicy, "store">,
): T {
  if (policy.store || !("failing_samples" in result.details)) return result;
  const { failing_samples: _dropped, ...details } = result.details;
  return { ...result, details };
}
