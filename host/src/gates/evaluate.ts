// Gate evaluation: does a model's check suite meet its tier's gate? Pure.
import { lookupCheckType } from "@floe/quality-sdk";
import type { QualityCheck } from "../config/check.js";
import type { QualityGates, Tier } from "../config/quality.js";
import type { GateResult } from "../config/results.js";

/** What a gate looks at: the model's tier, its columns (when known) and its checks. */
export interface GatedModel {
  name: string;
  tier: Tier;
  /** The model's columns; `undefined` when neither floe.yaml nor the dbt manifest lists them. */
  columns: readonly string[] | undefined;
  quality_checks: readonly QualityCheck[];
  /**
   * dbt tests on the model (from the dbt manifest at compile time, from the run's
   * results at run time): each counts as an enabled check of its type on its column.
   */
  dbt_tests?: readonly GatedDbtTest[] | undefined;
}

/** What a gate reads of a dbt test. */
export interface GatedDbtTest {
  readonly check_type: string | null;
  readonly column: string | null;
}

/**
 * The columns a check covers: its `column` and the column-valued parameters of its
 * type (compound_unique `columns`, pair_greater_than `column_a` / `column_b`).
 */
export function checkedColumns(check: QualityCheck): string[] {
  const columns = check.column === undefined ? [] : [check.column];
  const spec = lookupCheckType(check.type);
  for (const name of spec?.columnParameters ?? []) {
    const value = check.parameters[name];
    if (typeof value === "string") columns.push(value);
    else if (Array.isArray(value)) columns.push(...value.filter((v) => typeof v === "string"));
  }
  return columns;
}

/**
 * Coverage: percent of the model's columns with at least one enabled check. When the
 * columns are unknown, the columns the enabled checks reference stand in for them
 * (so any column check gives 100); a model with no columns at all covers 0 %.
 */
export function testCoverage(model: GatedModel): number {
  const covered = new Set([
    ...model.quality_checks.filter((c) => c.enabled).flatMap((c) => checkedColumns(c)),
    ...(model.dbt_tests ?? []).flatMap((t) => (t.column === null ? [] : [t.column])),
  ]);
  const columns = model.columns ?? [...covered];
  if (columns.length === 0) return 0;
  const hit = columns.filter((c) => covered.has(c)).length;
  return (100 * hit) / columns.length;
}

/** The tier's required check types that no enabled check of the model has, in the tier's order. */
export function missingTests(model: GatedModel, required: readonly string[]): string[] {
  const present = new Set([
    ...model.quality_checks
      .filter((c) => c.enabled)
      .map((c) => lookupCheckType(c.type)?.type ?? c.type),
    ...(model.dbt_tests ?? []).flatMap((t) => (t.check_type === null ? [] : [t.check_type])),
  ]);
  return required.filter((name) => !present.has(lookupCheckType(name)?.type ?? name));
}

/** `66.67` */
export function formatPercent(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** The seed's GateResult for a model against its tier's gate. */
export function evaluateGates(model: GatedModel, gates: QualityGates): GateResult {
  const gate = gates[model.tier];
  const coverage = testCoverage(model);
  const missing = missingTests(model, gate.required_tests);
  const violations: string[] = [];
  if (coverage < gate.min_test_coverage) {
    violations.push(
      `test coverage ${formatPercent(coverage)}% is below the ${model.tier} gate's ${formatPercent(gate.min_test_coverage)}%`,
    );
  }
  if (missing.length > 0) {
    violations.push(
      `the ${model.tier} gate requires check types missing here: ${missing.join(", ")}`,
    );
  }
  return {
    passed: violations.length === 0,
    tier: model.tier,
    coverage_actual: coverage,
    coverage_required: gate.min_test_coverage,
    missing_tests: missing,
    violations,
    model_name: model.name,
  };
}
