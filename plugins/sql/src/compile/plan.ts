// The statements a suite needs on one relation, and how their rows become
// check outcomes. Pure: SQL text and parameters in, outcomes out.
//
// - aggregateStatement: every row-level and aggregate check fused into one
//   scan (SUM(CASE WHEN ... THEN 1 ELSE 0 END) per check);
// - setStatement: the checks that need a query of their own (unique,
//   compound_unique, relationships), batched into one statement by CROSS
//   JOIN of their one-row results;
// - sampleStatement: distinct failing values of one failed check;
// - samplesStatement: the failing values of several failed checks in one
//   statement (their row-level checks share one scan).
import {
  type AggregateSql,
  CheckCompileError,
  type CompiledCheck,
  compileCheck,
  conditionSql,
  countWhere,
  type ResolvedCheck,
  SAMPLE_SCAN_ROWS,
} from "./checks.js";
import type { Dialect } from "./dialect.js";
import { quoteRelation, type RelationName } from "./relation.js";
import { SqlBuilder, type Statement } from "./sql.js";

export type OutcomeStatus = "passed" | "failed" | "error" | "skipped";

export interface CheckOutcome {
  readonly status: OutcomeStatus;
  readonly recordsChecked: number;
  readonly recordsFailed: number;
  readonly details: Record<string, unknown>;
  readonly errorMessage?: string;
  /** FLOE-DQ code of an error outcome (FLOE-DQ101 for a check the compiler refuses). */
  readonly errorCode?: string;
}

export interface PlanContext {
  readonly dialect: Dialect;
  readonly relation: RelationName;
  /** Default schema for relations named inside checks (relationships.to). */
  readonly defaultSchema?: string;
}

export type Row = Readonly<Record<string, unknown>>;

/** A statement and how to read its (single) row into one outcome per check it covers. */
export interface PlannedStatement {
  readonly statement: Statement;
  /** The checks the statement answers. */
  readonly checks: readonly ResolvedCheck[];
  read(row: Row): Map<number, CheckOutcome>;
}

export interface CompiledGroup {
  /** Null when no check of the group could be compiled. */
  readonly planned: PlannedStatement | null;
  /** Checks refused at compile time (index → error outcome). */
  readonly refused: Map<number, CheckOutcome>;
}

/** How a check is run: in the fused scan, in the set batch, or against the column list. */
export function queryKindOf(check: ResolvedCheck, ctx: PlanContext): CompiledCheck["kind"] {
  try {
    return compileCheck(compileInput(check, new SqlBuilder(ctx.dialect), ctx)).kind;
  } catch {
    // A check the compiler refuses is reported by whichever group compiles it.
    return "row";
  }
}

function compileInput(check: ResolvedCheck, sql: SqlBuilder, ctx: PlanContext) {
  return {
    check,
    sql,
    relation: quoteRelation(ctx.relation, ctx.dialect.name),
    condition: conditionSql(sql, check.parameters),
  };
}

export function errorOutcome(message: string, errorCode?: string): CheckOutcome {
  return {
    status: "error",
    recordsChecked: 0,
    recordsFailed: 0,
    details: {},
    errorMessage: message,
    ...(errorCode ? { errorCode } : {}),
  };
}

function compileEach(
  checks: readonly ResolvedCheck[],
  sql: SqlBuilder,
  ctx: PlanContext,
): {
  compiled: Array<[ResolvedCheck, CompiledCheck, string]>;
  refused: Map<number, CheckOutcome>;
} {
  const compiled: Array<[ResolvedCheck, CompiledCheck, string]> = [];
  const refused = new Map<number, CheckOutcome>();
  for (const check of checks) {
    const mark = sql.params.length;
    try {
      const input = compileInput(check, sql, ctx);
      compiled.push([check, compileCheck(input), input.condition]);
    } catch (error) {
      sql.params.length = mark;
      if (!(error instanceof CheckCompileError)) throw error;
      refused.set(check.index, errorOutcome(error.message, "FLOE-DQ101"));
    }
  }
  return { compiled, refused };
}

/** The fused scan of the row-level and aggregate checks among `checks`. */
export function aggregateStatement(
  checks: readonly ResolvedCheck[],
  ctx: PlanContext,
): CompiledGroup {
  const sql = new SqlBuilder(ctx.dialect, ctx.defaultSchema);
  const { compiled, refused } = compileEach(checks, sql, ctx);
  const items: string[] = [];
  const readers: Array<[ResolvedCheck, (row: Row) => CheckOutcome]> = [];
  for (const [check, c, where] of compiled) {
    const k = `k${check.index}`;
    if (c.kind === "row") {
      const scope = [where, c.evaluated].filter((p) => p !== "TRUE").map((p) => `(${p})`);
      items.push(`${countWhere(scope.length === 0 ? "TRUE" : scope.join(" AND "))} AS ${k}_c`);
      items.push(`${countWhere([...scope, `(${c.failing})`].join(" AND "))} AS ${k}_f`);
      readers.push([check, (row) => rowOutcome(check, count(row[`${k}_c`]), count(row[`${k}_f`]))]);
    } else if (c.kind === "aggregate") {
      items.push(`${c.counted} AS ${k}_c`, `${c.observed} AS ${k}_o`, `${c.passes} AS ${k}_p`);
      readers.push([
        check,
        (row) =>
          aggregateOutcome(
            count(row[`${k}_c`]),
            row[`${k}_o`],
            row[`${k}_p`],
            c.nothingObserved,
            c.judge,
          ),
      ]);
    } else {
      refused.set(check.index, errorOutcome(`internal: ${check.type} is not a fused check`));
    }
  }
  if (items.length === 0) return { planned: null, refused };
  return {
    planned: {
      statement: sql.statement(
        `SELECT ${items.join(", ")} FROM ${quoteRelation(ctx.relation, ctx.dialect.name)}`,
      ),
      checks: readers.map(([c]) => c),
      read: (row) => new Map(readers.map(([c, read]) => [c.index, read(row)])),
    },
    refused,
  };
}

/** The set checks among `checks`, batched into one statement (one row per subquery, cross-joined). */
export function setStatement(checks: readonly ResolvedCheck[], ctx: PlanContext): CompiledGroup {
  const sql = new SqlBuilder(ctx.dialect, ctx.defaultSchema);
  const { compiled, refused } = compileEach(checks, sql, ctx);
  const parts: string[] = [];
  const items: string[] = [];
  const answered: ResolvedCheck[] = [];
  for (const [check, c] of compiled) {
    if (c.kind !== "set") {
      refused.set(check.index, errorOutcome(`internal: ${check.type} is not a set check`));
      continue;
    }
    const k = `k${check.index}`;
    parts.push(`(${c.query}) AS ${k}`);
    items.push(`${k}.checked AS ${k}_c`, `${k}.failed AS ${k}_f`);
    answered.push(check);
  }
  if (parts.length === 0) return { planned: null, refused };
  return {
    planned: {
      statement: sql.statement(`SELECT ${items.join(", ")} FROM ${parts.join(" CROSS JOIN ")}`),
      checks: answered,
      read: (row) =>
        new Map(
          answered.map((c) => [
            c.index,
            rowOutcome(c, count(row[`k${c.index}_c`]), count(row[`k${c.index}_f`])),
          ]),
        ),
    },
    refused,
  };
}

/** Distinct failing values of a failed row-level or set check, or null when it has none to show. */
export function sampleStatement(
  check: ResolvedCheck,
  limit: number,
  sensitiveColumns: ReadonlySet<string>,
  ctx: PlanContext,
): { statement: Statement; columns: readonly string[] } | null {
  if (limit <= 0) return null;
  const sql = new SqlBuilder(ctx.dialect, ctx.defaultSchema);
  const input = compileInput(check, sql, ctx);
  let compiled: CompiledCheck;
  try {
    compiled = compileCheck(input);
  } catch {
    return null;
  }
  if (compiled.kind !== "row" && compiled.kind !== "set") return null;
  const columns = compiled.sampleColumns;
  if (columns.length === 0 || columns.some((c) => sensitiveColumns.has(c))) return null;
  if (compiled.kind === "set") {
    const text = compiled.sampleQuery("__limit__");
    return { statement: withLimit(sql, text, limit), columns };
  }
  const selected = columns
    .map((c, i) => `CAST(${sql.ident(c)} AS ${ctx.dialect.textType}) AS v${i}`)
    .join(", ");
  const order = columns.map((_, i) => i + 1).join(", ");
  const names = columns.map((_, i) => `v${i}`).join(", ");
  const failingRows = `SELECT ${selected} FROM ${input.relation} WHERE ${input.condition} AND (${compiled.evaluated}) AND (${compiled.failing}) LIMIT ${SAMPLE_SCAN_ROWS}`;
  const text = `SELECT ${names} FROM (${failingRows}) AS s GROUP BY ${names} ORDER BY ${order} LIMIT __limit__`;
  return { statement: withLimit(sql, text, limit), columns };
}

/** One statement answering the failing samples of several failed checks of one relation. */
export interface PlannedSamples {
  readonly statement: Statement;
  /** The checks the statement samples (the others have nothing to show). */
  readonly checks: readonly ResolvedCheck[];
  /** Sample values per check index, as readSamples gives them. */
  read(rows: readonly Row[]): Map<number, unknown[]>;
}

/**
 * The failing samples of all `checks` in one statement, or null when none has
 * anything to show. Each check gets what sampleStatement gives it alone: the
 * distinct failing values among the first SAMPLE_SCAN_ROWS failing rows,
 * ordered, at most `limit`. The row-level checks whose failures are rare
 * (fewer than SAMPLE_SCAN_ROWS failing rows per `failedRows`, or unknown),
 * for which a sample query of their own would read the whole relation, share
 * one scan: the rows failing any of them are kept once (a materialized CTE
 * with one flag per check, at most SAMPLE_SCAN_ROWS rows per check) and each
 * check's values are picked from those rows. A row-level check failing on at
 * least SAMPLE_SCAN_ROWS rows reads the relation in a branch of its own that
 * stops at its SAMPLE_SCAN_ROWS-th failing row; set checks add their own
 * sample query as a branch.
 */
export function samplesStatement(
  checks: readonly ResolvedCheck[],
  limit: number,
  sensitiveColumns: ReadonlySet<string>,
  ctx: PlanContext,
  failedRows: ReadonlyMap<number, number> = new Map(),
): PlannedSamples | null {
  if (limit <= 0) return null;
  const sql = new SqlBuilder(ctx.dialect, ctx.defaultSchema);
  const text = ctx.dialect.textType;
  const relation = quoteRelation(ctx.relation, ctx.dialect.name);
  const flags: string[] = [];
  const values: string[] = [];
  const predicates: string[] = [];
  const branches: Array<{ from: string; columns: readonly string[]; names: string[] }> = [];
  const sampled: Array<{ check: ResolvedCheck; columns: readonly string[] }> = [];
  let limitPlaceholder: string | undefined;
  const limitText = () => {
    limitPlaceholder ??= sql.bind(Math.trunc(limit));
    return limitPlaceholder;
  };
  for (const check of checks) {
    const mark = sql.params.length;
    let input: ReturnType<typeof compileInput>;
    let compiled: CompiledCheck;
    try {
      input = compileInput(check, sql, ctx);
      compiled = compileCheck(input);
    } catch {
      sql.params.length = mark;
      continue;
    }
    const columns =
      compiled.kind === "row" || compiled.kind === "set" ? compiled.sampleColumns : [];
    if (columns.length === 0 || columns.some((c) => sensitiveColumns.has(c))) {
      sql.params.length = mark;
      continue;
    }
    const k = `s${check.index}`;
    if (compiled.kind === "row") {
      const scope = [input.condition, compiled.evaluated, compiled.failing]
        .filter((p) => p !== "TRUE")
        .map((p) => `(${p})`);
      const failing = scope.length === 0 ? "TRUE" : scope.join(" AND ");
      const names = columns.map((_, i) => `v${i}`);
      let rows: string;
      if ((failedRows.get(check.index) ?? 0) >= SAMPLE_SCAN_ROWS) {
        const picked = columns.map((c, i) => `CAST(${sql.ident(c)} AS ${text}) AS ${names[i]}`);
        rows = `SELECT ${picked.join(", ")} FROM ${relation} WHERE ${failing} LIMIT ${SAMPLE_SCAN_ROWS}`;
      } else {
        predicates.push(`(${failing})`);
        flags.push(`${failing} AS ${k}`);
        columns.forEach((c, i) => {
          values.push(`CAST(${sql.ident(c)} AS ${text}) AS ${k}_v${i}`);
        });
        const picked = columns.map((_, i) => `${k}_v${i} AS ${names[i]}`);
        rows = `SELECT ${picked.join(", ")} FROM f WHERE ${k} LIMIT ${SAMPLE_SCAN_ROWS}`;
      }
      branches.push({
        from: `SELECT ${names.join(", ")} FROM (${rows}) AS r GROUP BY ${names.join(", ")} ORDER BY ${names.join(", ")} LIMIT ${limitText()}`,
        columns,
        names,
      });
    } else if (compiled.kind === "set") {
      const names = columns.length === 1 ? ["v"] : columns.map((_, i) => `v${i}`);
      branches.push({ from: compiled.sampleQuery(limitText()), columns, names });
    }
    sampled.push({ check, columns });
  }
  if (branches.length === 0) return null;
  const width = Math.max(...branches.map((b) => b.columns.length));
  const selects = branches.map((b, n) => {
    const padded = Array.from({ length: width }, (_, i) =>
      i < b.names.length
        ? `CAST(q.${b.names[i]} AS ${text}) AS v${i}`
        : `CAST(NULL AS ${text}) AS v${i}`,
    );
    const order = b.names.map((name) => `q.${name}`).join(", ");
    return `SELECT ${n} AS k, ROW_NUMBER() OVER (ORDER BY ${order}) AS r, ${padded.join(", ")} FROM (${b.from}) AS q`;
  });
  const cte =
    predicates.length === 0
      ? ""
      : `WITH f AS MATERIALIZED (SELECT ${[...flags, ...values].join(", ")} FROM ${relation} WHERE ${predicates.join(" OR ")}) `;
  const statement = sql.statement(
    `${cte}SELECT k, r, ${Array.from({ length: width }, (_, i) => `v${i}`).join(", ")} FROM (${selects.join(" UNION ALL ")}) AS u ORDER BY k, r`,
  );
  return {
    statement,
    checks: sampled.map((s) => s.check),
    read(rows) {
      const byBranch = new Map<number, Row[]>();
      for (const row of rows) {
        const n = Number(row.k);
        const list = byBranch.get(n) ?? [];
        list.push(row);
        byBranch.set(n, list);
      }
      return new Map(
        sampled.map(({ check, columns }, n) => [
          check.index,
          readSamples(byBranch.get(n) ?? [], columns),
        ]),
      );
    },
  };
}

function withLimit(sql: SqlBuilder, text: string, limit: number): Statement {
  const placeholder = sql.bind(Math.trunc(limit));
  return sql.statement(text.replace("__limit__", placeholder));
}

/** Sample rows as JSON values: a single column gives its values, several give objects keyed by column. */
export function readSamples(rows: readonly Row[], columns: readonly string[]): unknown[] {
  if (columns.length === 1) return rows.map((r) => r.v ?? r.v0 ?? null);
  return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[`v${i}`] ?? null])));
}

function count(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint" || typeof value === "string") return Number(value);
  return 0;
}

/** GX semantics: pass when (checked − failed) / checked ≥ mostly; nothing checked passes. */
export function rowOutcome(check: ResolvedCheck, checked: number, failed: number): CheckOutcome {
  const mostly = typeof check.parameters.mostly === "number" ? check.parameters.mostly : 1;
  const passed = checked === 0 || (checked - failed) / checked >= mostly;
  const details: Record<string, unknown> = {
    unexpected_percent: checked === 0 ? 0 : (failed / checked) * 100,
  };
  if (mostly !== 1) details.mostly = mostly;
  return {
    status: passed ? "passed" : "failed",
    recordsChecked: checked,
    recordsFailed: failed,
    details,
  };
}

export function aggregateOutcome(
  counted: number,
  observed: unknown,
  passes: unknown,
  nothingObserved: string | null,
  judge?: AggregateSql["judge"],
): CheckOutcome {
  const value = jsonValue(observed);
  if (value === null || passes === null || passes === undefined) {
    return {
      ...errorOutcome(nothingObserved ?? "the database returned no observed value"),
      recordsChecked: counted,
    };
  }
  if (judge !== undefined)
    return { ...judge(Number(value)), recordsChecked: counted, recordsFailed: 0 };
  const passed = passes === true;
  return {
    status: passed ? "passed" : "failed",
    recordsChecked: counted,
    recordsFailed: 0,
    details: { observed_value: value },
  };
}

/** A database value as a JSON value for details. */
export function jsonValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string")
    return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
