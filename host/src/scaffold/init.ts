// The models `init` writes for a warehouse's tables: every column listed (so
// compile checks column references and `suggest` knows what to profile), and a
// starter check per key column. Pure.
import type { QualityCheckInput } from "../config/check.js";
import type { TableInfo } from "./introspect.js";
import type { ScaffoldModel } from "./product.js";

/**
 * The key of a table: its declared primary key (or unique constraint); else the
 * first column named `id`, `<table>_id` or `<table without a trailing s>_id`;
 * else the first column when its name ends in `_id`. Empty when none fits.
 */
export function keyColumns(table: TableInfo): string[] {
  if (table.keys.length > 0) return table.keys;
  const lower = table.name.toLowerCase();
  const names = new Set(["id", `${lower}_id`, `${lower.replace(/s$/, "")}_id`]);
  const named = table.columns.find((c) => names.has(c.toLowerCase()));
  if (named !== undefined) return [named];
  const first = table.columns[0];
  return first?.toLowerCase().endsWith("_id") ? [first] : [];
}

/** A one-column key gets not_null and unique; a composite key not_null per column and compound_unique. */
export function starterChecks(table: TableInfo): QualityCheckInput[] {
  const keys = keyColumns(table);
  const checks: QualityCheckInput[] = keys.map((column) => ({
    name: `${column}_not_null`,
    type: "not_null",
    column,
    severity: "critical",
  }));
  if (keys.length === 1) {
    checks.push({
      name: `${keys[0]}_unique`,
      type: "unique",
      column: keys[0],
      severity: "critical",
    });
  } else if (keys.length > 1) {
    checks.push({
      name: `${table.name}_key_unique`,
      type: "compound_unique",
      severity: "critical",
      parameters: { columns: keys },
    });
  }
  return checks;
}

/** One bronze model per table; tables outside the default schema keep it in their relation. */
export function initModels(tables: readonly TableInfo[], defaultSchema: string): ScaffoldModel[] {
  return tables.map((table) => ({
    name: table.name,
    tier: "bronze",
    relation: table.schema === defaultSchema ? undefined : `${table.schema}.${table.name}`,
    columns: table.columns,
    quality_checks: starterChecks(table),
  }));
}
