// Wire enums ↔ the names files and people use ("completeness", "critical",
// "timed_out"). The one mapping in TypeScript; floe_quality_sdk/enums.py is the
// Python one, and sdk/vectors/primitives.json checks both.
import { CheckStatus, Dimension, Severity } from "./gen/floe/quality/v1/types.js";

export const DIMENSION_NAMES = [
  "completeness",
  "accuracy",
  "validity",
  "consistency",
  "timeliness",
] as const;
export type DimensionName = (typeof DIMENSION_NAMES)[number];

export const SEVERITY_NAMES = ["critical", "warning", "info"] as const;
export type SeverityName = (typeof SEVERITY_NAMES)[number];

export const CHECK_STATUS_NAMES = ["passed", "failed", "error", "skipped", "timed_out"] as const;
export type CheckStatusName = (typeof CHECK_STATUS_NAMES)[number];

const DIMENSION_WIRE: Readonly<Record<DimensionName, Dimension>> = {
  completeness: Dimension.DIMENSION_COMPLETENESS,
  accuracy: Dimension.DIMENSION_ACCURACY,
  validity: Dimension.DIMENSION_VALIDITY,
  consistency: Dimension.DIMENSION_CONSISTENCY,
  timeliness: Dimension.DIMENSION_TIMELINESS,
};

const SEVERITY_WIRE: Readonly<Record<SeverityName, Severity>> = {
  critical: Severity.SEVERITY_CRITICAL,
  warning: Severity.SEVERITY_WARNING,
  info: Severity.SEVERITY_INFO,
};

const STATUS_WIRE: Readonly<Record<CheckStatusName, CheckStatus>> = {
  passed: CheckStatus.CHECK_STATUS_PASSED,
  failed: CheckStatus.CHECK_STATUS_FAILED,
  error: CheckStatus.CHECK_STATUS_ERROR,
  skipped: CheckStatus.CHECK_STATUS_SKIPPED,
  timed_out: CheckStatus.CHECK_STATUS_TIMED_OUT,
};

function inverse<K extends string>(table: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  return new Map(Object.entries(table).map(([name, wire]) => [wire as number, name as K]));
}

const DIMENSION_NAME = inverse(DIMENSION_WIRE);
const SEVERITY_NAME = inverse(SEVERITY_WIRE);
const STATUS_NAME = inverse(STATUS_WIRE);

export function dimensionToWire(name: DimensionName): Dimension {
  return DIMENSION_WIRE[name];
}

export function severityToWire(name: SeverityName): Severity {
  return SEVERITY_WIRE[name];
}

export function checkStatusToWire(name: CheckStatusName): CheckStatus {
  return STATUS_WIRE[name];
}

/** The dimension's name; undefined for UNSPECIFIED or a number this version does not know. */
export function dimensionFromWire(value: number): DimensionName | undefined {
  return DIMENSION_NAME.get(value);
}

/** The severity's name; undefined for UNSPECIFIED or an unknown number. */
export function severityFromWire(value: number): SeverityName | undefined {
  return SEVERITY_NAME.get(value);
}

/** The status's name; undefined for UNSPECIFIED or an unknown number. */
export function checkStatusFromWire(value: number): CheckStatusName | undefined {
  return STATUS_NAME.get(value);
}
