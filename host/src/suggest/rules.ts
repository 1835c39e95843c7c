// From a table's profile to the checks `suggest` proposes, each with parameters
// the profiled data passes, then measured against the tier's gate with the
// gate's own rules (gates/evaluate.ts). Pure.
import type { QualityCheckInput } from "../config/check.js";
import { type QualityCheck, QualityCheckSchema } from "../config/check.js";
import type { QualityGates, Tier } from "../config/quality.js";
import type { GateResult } from "../config/results.js";
import { evaluateGates } from "../gates/evaluate.js";
import {
  CANDIDATE_PATTERNS,
  type ColumnProfile,
  LOW_CARDINALITY,
  type TableProfile,
} from "./profile.js";

export interface SuggestInput {
  model: string;
  tier: Tier;
  profile: TableProfile;
  /** Columns whose values must not be written into floe.yaml (the product's sensitive_columns). */
  sensitive: (column: string) => boolean;
}

export interface Suggestion {
  /** The checks as they go into floe.yaml. */
  checks: QualityCheckInput[];
  /** Per check name: the profile fact it rests on, for people. */
  reasons: Record<string, string>;
  /** The suggested checks against the tier's gate. */
  gate: GateResult;
}

/** The model's key: the first integer or text column with every value present and distinct. */
export function keyColumn(profile: TableProfile): ColumnProfile | undefined {
  return profile.columns.find((c) => isUniqueKind(c) && c.nulls === 0 && isDistinct(c, profile));
}

const isUniqueKind = (c: ColumnProfile) => c.kind === "integer" || c.kind === "text";
const isDistinct = (c: ColumnProfile, p: TableProfile) =>
  p.rows - c.nulls >= 2 && c.distinct === p.rows - c.nulls;

/**
 * The proposed checks, in column order:
 * - row_count_between min 1 when the table has rows;
 * - not_null where no value is null (critical on the key);
 * - unique on integer and text columns whose non-null values are all distinct;
 * - accepted_values for text columns of at most LOW_CARDINALITY distinct values
 *   that repeat (each value twice on average; the complete sorted set);
 * - between the observed min and max for numbers, from the observed min for
 *   dates and timestamps (newer rows keep passing);
 * - regex with the most specific candidate pattern every value matches, for
 *   other text columns;
 * - relationships for each reference that holds;
 * - column_exists for a column nothing else covers, so coverage counts it.
 * Values of sensitive columns are never written: no accepted_values or between on them.
 */
export function suggestChecks(input: SuggestInput, gates: QualityGates): Suggestion {
  const { profile } = input;
  const checks: QualityCheckInput[] = [];
  const reasons: Record<string, string> = {};
  const names = new Set<string>();
  const add = (base: string, check: Omit<QualityCheckInput, "name">, reason: string) => {
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base}_${n}`;
    names.add(name);
    checks.push({ name, ...check });
    reasons[name] = reason;
  };
  const key = keyColumn(profile);
  if (profile.rows > 0) {
    add(
      `${input.model}_not_empty`,
      { type: "row_count_between", severity: "critical", parameters: { min_value: 1 } },
      `${profile.rows} rows`,
    );
  }
  for (const c of profile.columns) {
    const present = profile.rows - c.nulls;
    const critical = c === key ? { severity: "critical" as const } : {};
    const before = checks.length;
    if (profile.rows > 0 && c.nulls === 0) {
      add(`${c.name}_not_null`, { type: "not_null", column: c.name, ...critical }, "no nulls");
    }
    if (isUniqueKind(c) && isDistinct(c, profile)) {
      add(
        `${c.name}_unique`,
        { type: "unique", column: c.name, ...critical },
        `${c.distinct} distinct values in ${present} rows`,
      );
    }
    const secret = input.sensitive(c.name);
    if (c.kind === "text" && !secret && c.values !== null && 2 * c.distinct <= present) {
      add(
        `${c.name}_accepted`,
        { type: "accepted_values", column: c.name, parameters: { values: c.values } },
        `${c.distinct} distinct values (at most ${LOW_CARDINALITY}, each twice on average) in ${present} rows`,
      );
    } else if (c.kind === "text" && c.patterns.length > 0) {
      const pattern = CANDIDATE_PATTERNS.find((p) => p.name === c.patterns[0])!;
      add(
        `${c.name}_format`,
        { type: "regex", column: c.name, parameters: { regex: pattern.regex } },
        `every value matches the ${pattern.name} pattern`,
      );
    }
    if (!secret && c.min !== null && (c.kind === "integer" || c.kind === "decimal")) {
      add(
        `${c.name}_range`,
        {
          type: "between",
          column: c.name,
          parameters: { min_value: c.min, ...(c.max === null ? {} : { max_value: c.max }) },
        },
        `observed min ${c.min}, max ${c.max}`,
      );
    } else if (!secret && c.min !== null && (c.kind === "date" || c.kind === "timestamp")) {
      add(
        `${c.name}_since`,
        { type: "between", column: c.name, parameters: { min_value: c.min } },
        `observed earliest ${c.min}`,
      );
    }
    for (const ref of c.references) {
      add(
        `${c.name}_references_${ref.column}`,
        {
          type: "relationships",
          column: c.name,
          parameters: { to: ref.relation, field: ref.column },
        },
        `every value is a ${ref.column} of ${ref.relation}`,
      );
    }
    if (checks.length === before) {
      add(
        `${c.name}_exists`,
        { type: "column_exists", column: c.name },
        "no value-based check fits; counts the column for coverage",
      );
    }
  }
  const compiled: QualityCheck[] = checks.map((c) => QualityCheckSchema.parse(c));
  const gate = evaluateGates(
    {
      name: input.model,
      tier: input.tier,
      columns: profile.columns.map((c) => c.name),
      quality_checks: compiled,
    },
    gates,
  );
  return { checks, reasons, gate };
}
