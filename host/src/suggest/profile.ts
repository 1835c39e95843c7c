// The profile `suggest` reads: a suite of vocabulary checks whose results carry
// the metrics (row count, nulls, distinct counts, min/max, the value sets of
// low-cardinality text columns, which candidate patterns every value matches,
// which candidate references hold), run through the model's plugin like any
// suite. Building the suite and reading its results are pure; running it is the
// command's job.
import { type QualityCheck, QualityCheckSchema } from "../config/check.js";
import type { QualityCheckResult } from "../config/results.js";

/** How suggestions treat a column, from its SQL type. */
export type ValueKind = "integer" | "decimal" | "text" | "date" | "timestamp" | "boolean" | "other";

/** The kind of a catalog type name (DuckDB or PostgreSQL information_schema.data_type). */
export function valueKind(sqlType: string): ValueKind {
  const t = sqlType.trim().toLowerCase();
  if (
    /^(tinyint|smallint|integer|int|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|uhugeint|int[248])\b/.test(
      t,
    )
  )
    return "integer";
  if (/^(double|float|real|decimal|numeric)\b/.test(t)) return "decimal";
  if (/^(varchar|text|char|character|string|bpchar)\b/.test(t)) return "text";
  if (t === "date") return "date";
  if (t.startsWith("timestamp")) return "timestamp";
  if (t.startsWith("bool")) return "boolean";
  return "other";
}

/** Whether a catalog type keeps a time zone (TIMESTAMPTZ, timestamp with time zone). */
export function isZoned(sqlType: string): boolean {
  return /with time zone|timestamptz/i.test(sqlType);
}

/**
 * Candidate patterns, most specific first: a text column that is not
 * low-cardinality gets the first one every non-null value matches. Written in
 * the regular-expression subset RE2 (DuckDB) and PostgreSQL share.
 */
export const CANDIDATE_PATTERNS: ReadonlyArray<{ name: string; regex: string }> = [
  {
    name: "uuid",
    regex: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  },
  { name: "email", regex: "^[^@[:space:]]+@[^@[:space:]]+[.][A-Za-z]{2,}$" },
  { name: "iso_date", regex: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
  { name: "digits", regex: "^[0-9]+$" },
  { name: "upper_code", regex: "^[A-Z][A-Z0-9_]*$" },
  { name: "lower_word", regex: "^[a-z][a-z0-9_]*$" },
  { name: "json_object", regex: "^[{].*[}]$" },
  { name: "trimmed_text", regex: "^[^[:space:]](.*[^[:space:]])?$" },
];

/** At most this many distinct values make a text column low-cardinality (an accepted_values set). */
export const LOW_CARDINALITY = 10;

/** Names that mark a column as a reference to some other key (`referred_by`, `country_code`). */
const REFERENCE_NAME = /(_by|_ref|_key|_code)$/i;

/**
 * What a key's name is about: `customer_id` → customer; a bare `id` or `key`
 * takes the relation's name without a plural s (`main.orders` → order).
 */
function keyStem(key: KeyCandidate): string {
  const stem = key.column.replace(/_?(id|key)$/i, "");
  if (stem !== "") return stem.toLowerCase();
  const table = key.relation.split(".").pop() ?? key.relation;
  return table.replace(/"/g, "").replace(/s$/i, "").toLowerCase();
}

export interface ProfiledColumn {
  name: string;
  /** The catalog's type name. */
  type: string;
  kind: ValueKind;
}

/** A column whose values are all distinct and present, known to the profile or declared unique in floe.yaml. */
export interface KeyCandidate {
  /** The relation as `relationships.to` names it. */
  relation: string;
  column: string;
  kind: ValueKind;
}

export interface ProfileRequest {
  columns: readonly ProfiledColumn[];
  /** The model's own relation (its columns can be referenced by the model itself). */
  relation: string;
  /** Keys of other models (declared with a `unique` check) that a column may reference. */
  foreignKeys: readonly KeyCandidate[];
}

/** What one profile probe measures. */
type Probe =
  | { metric: "rows" }
  | { metric: "nulls" | "distinct" | "min" | "max" | "values"; column: number }
  | { metric: "pattern"; column: number; pattern: number }
  | { metric: "reference"; column: number; key: KeyCandidate };

export interface ProfileSuite {
  checks: QualityCheck[];
  probes: Probe[];
}

const check = (name: string, type: string, column: string | undefined, parameters = {}) =>
  QualityCheckSchema.parse({ name, type, ...(column === undefined ? {} : { column }), parameters });

/**
 * A column of the model may reference `key` when both have the same kind and
 * the column is named after it: the key's own name (unless a bare `id`), an
 * `_id` name that contains the key's stem (`customer_id`, `parent_order_id`),
 * or a reference-like name.
 */
function mayReference(column: ProfiledColumn, key: KeyCandidate): boolean {
  if (column.kind !== key.kind) return false;
  const name = column.name.toLowerCase();
  // Every table may have a bare `id`: sharing that name says nothing.
  if (name === key.column.toLowerCase() && !/^(id|key)$/.test(name)) return true;
  if (REFERENCE_NAME.test(name)) return true;
  return name.endsWith("_id") && name.includes(keyStem(key));
}

/**
 * The profile suite: one check per metric, named by position (column names may
 * hold anything). Aggregate and row checks of one relation share one fused scan
 * in floe_sql; the value sets come from the failing samples of an
 * `accepted_values` check with the empty set (every value fails it).
 */
export function profileSuite(request: ProfileRequest): ProfileSuite {
  const checks: QualityCheck[] = [];
  const probes: Probe[] = [];
  const add = (probe: Probe, type: string, column: string | undefined, parameters = {}) => {
    checks.push(check(`profile_${checks.length}`, type, column, parameters));
    probes.push(probe);
  };
  add({ metric: "rows" }, "row_count_between", undefined, { min_value: 0 });
  request.columns.forEach((c, i) => {
    add({ metric: "nulls", column: i }, "not_null", c.name);
    add({ metric: "distinct", column: i }, "distinct_count_between", c.name, { min_value: 0 });
    if (c.kind === "integer" || c.kind === "decimal") {
      // The observed value is what counts: the bound only has to be valid, not to hold.
      add({ metric: "min", column: i }, "min_between", c.name, { min_value: 0 });
      add({ metric: "max", column: i }, "max_between", c.name, { min_value: 0 });
    } else if (c.kind === "date" || c.kind === "timestamp") {
      // A string bound takes the column's type in the database.
      add({ metric: "min", column: i }, "min_between", c.name, { min_value: "0001-01-01" });
      add({ metric: "max", column: i }, "max_between", c.name, { min_value: "0001-01-01" });
    } else if (c.kind === "text") {
      add({ metric: "values", column: i }, "accepted_values", c.name, { values: [] });
      CANDIDATE_PATTERNS.forEach((p, pattern) => {
        add({ metric: "pattern", column: i, pattern }, "regex", c.name, { regex: p.regex });
      });
    }
  });
  // References: to the model's own integer and text columns (kept only if the
  // profile shows a key) and to the other models' declared keys.
  const ownKeys: KeyCandidate[] = request.columns
    .filter((c) => c.kind === "integer" || c.kind === "text")
    .map((c) => ({ relation: request.relation, column: c.name, kind: c.kind }));
  request.columns.forEach((c, i) => {
    for (const key of [...ownKeys, ...request.foreignKeys]) {
      if (key.relation === request.relation && key.column === c.name) continue;
      if (!mayReference(c, key)) continue;
      add({ metric: "reference", column: i, key }, "relationships", c.name, {
        to: key.relation,
        field: key.column,
      });
    }
  });
  return { checks, probes };
}

export interface ColumnProfile extends ProfiledColumn {
  nulls: number;
  distinct: number;
  min: string | number | null;
  max: string | number | null;
  /** Every distinct non-null value, sorted, when the column is low-cardinality text (else null). */
  values: string[] | null;
  /** The candidate patterns every non-null value matches, most specific first. */
  patterns: string[];
  /** Keys every non-null value is found in (`relationships` that hold). */
  references: KeyCandidate[];
}

/**
 * An observed min or max as a check parameter: numbers as numbers; dates as
 * YYYY-MM-DD and timestamps as YYYY-MM-DD HH:MM:SS[.fff] (the literal both
 * databases cast to the column's type), with +00:00 for a column with a time
 * zone (`zoned`) so the session's time zone cannot move it; null when unknown.
 */
export function boundOf(kind: ValueKind, observed: unknown, zoned = false): string | number | null {
  if (typeof observed === "number") return observed;
  if (typeof observed !== "string") return null;
  if (kind === "integer" || kind === "decimal") {
    const n = Number(observed);
    return Number.isFinite(n) ? n : null;
  }
  const iso = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(observed);
  if (iso === null) return observed;
  if (kind === "date") return iso[1]!;
  const fraction = iso[3] === undefined || /^\.0+$/.test(iso[3]) ? "" : iso[3];
  return `${iso[1]} ${iso[2]}${fraction}${zoned ? "+00:00" : ""}`;
}

export interface TableProfile {
  rows: number;
  columns: ColumnProfile[];
}

/**
 * The metrics out of the profile suite's results (matched by check name). A
 * probe that could not run (for instance min of a column with no values)
 * leaves its metric unknown; `ownKeys` references are kept only when the key
 * column turns out to be a key (distinct and present on every row).
 */
export function readProfile(
  request: ProfileRequest,
  suite: ProfileSuite,
  results: readonly QualityCheckResult[],
): TableProfile {
  const byName = new Map(results.map((r) => [r.check_name, r]));
  const columns: ColumnProfile[] = request.columns.map((c) => ({
    ...c,
    nulls: 0,
    distinct: 0,
    min: null,
    max: null,
    values: null,
    patterns: [],
    references: [],
  }));
  let rows = 0;
  const samples = new Map<number, unknown[]>();
  suite.probes.forEach((probe, index) => {
    const result = byName.get(suite.checks[index]!.name);
    if (result === undefined || result.status === "error" || result.status === "timed_out") return;
    const observed = result.details.observed_value;
    if (probe.metric === "rows") {
      rows = Number(observed);
      return;
    }
    const column = columns[probe.column]!;
    switch (probe.metric) {
      case "nulls":
        column.nulls = result.records_failed;
        break;
      case "distinct":
        column.distinct = Number(observed);
        break;
      case "min":
      case "max":
        column[probe.metric] = boundOf(column.kind, observed, isZoned(column.type));
        break;
      case "values": {
        const values = result.details.failing_samples;
        if (Array.isArray(values)) samples.set(probe.column, values);
        break;
      }
      case "pattern":
        if (result.records_checked > 0 && result.records_failed === 0)
          column.patterns.push(CANDIDATE_PATTERNS[probe.pattern]!.name);
        break;
      case "reference":
        if (result.records_checked > 0 && result.records_failed === 0)
          column.references.push(probe.key);
        break;
    }
  });
  for (const [i, values] of samples) {
    const column = columns[i]!;
    // Complete only when the sample holds every distinct value the full scan counted.
    if (column.distinct <= LOW_CARDINALITY && values.length === column.distinct) {
      column.values = values.map(String).sort();
    }
  }
  const isKey = (name: string) => {
    const c = columns.find((x) => x.name === name);
    return c !== undefined && c.nulls === 0 && c.distinct === rows && rows > 0;
  };
  for (const column of columns) {
    column.references = column.references.filter(
      (k) => k.relation !== request.relation || isKey(k.column),
    );
  }
  return { rows, columns };
}
