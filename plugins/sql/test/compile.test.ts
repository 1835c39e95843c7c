// The pure check compiler: statements, parameters, and the rule that no value
// ever becomes SQL text (quoting, relation names and durations are SDK
// primitives, tested against the shared vectors in sdk/test/primitives.test.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  aggregateStatement,
  duckdb,
  parseRelation,
  postgres,
  type ResolvedCheck,
  resolveCheck,
  sampleStatement,
  samplesStatement,
  setStatement,
} from "../src/compile/index.js";
import { check } from "./harness.js";

function resolved(
  type: string,
  column: string,
  parameters: Record<string, unknown>,
  index = 0,
): ResolvedCheck {
  const r = resolveCheck(check(`c${index}`, type, column, parameters), index);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.check;
}

const ctx = { dialect: postgres, relation: parseRelation("public.orders") };

describe("relations", () => {
  it("gives a bare table the connection's schema (names and quoting are the SDK's)", () => {
    expect(parseRelation("orders", "sales")).toEqual({
      database: undefined,
      schema: "sales",
      identifier: "orders",
    });
    expect(parseRelation("fin.orders", "sales").schema).toBe("fin");
  });
});

describe("statements", () => {
  it("fuses row and aggregate checks into one scan with positional parameters", () => {
    const checks = [
      resolved("not_null", "id", {}, 0),
      resolved("accepted_values", "status", { values: ["a", "b"], row_condition: "qty > 1" }, 1),
      resolved("mean_between", "qty", { min_value: 1, max_value: 2.5 }, 2),
    ];
    const { planned } = aggregateStatement(checks, ctx);
    expect(planned?.statement.sql).toBe(
      'SELECT COUNT(*) AS k0_c, COALESCE(SUM(CASE WHEN ("id" IS NULL) THEN 1 ELSE 0 END), 0) AS k0_f, ' +
        'COALESCE(SUM(CASE WHEN (("qty" > CAST($1 AS BIGINT))) AND ("status" IS NOT NULL) THEN 1 ELSE 0 END), 0) AS k1_c, ' +
        'COALESCE(SUM(CASE WHEN (("qty" > CAST($1 AS BIGINT))) AND ("status" IS NOT NULL) AND (NOT ("status" IN ($2, $3))) THEN 1 ELSE 0 END), 0) AS k1_f, ' +
        'COUNT("qty") AS k2_c, CAST(AVG("qty") AS DOUBLE PRECISION) AS k2_o, ' +
        'CAST(AVG("qty") AS DOUBLE PRECISION) >= CAST($4 AS BIGINT) AND CAST(AVG("qty") AS DOUBLE PRECISION) <= CAST($5 AS DOUBLE PRECISION) AS k2_p ' +
        'FROM "public"."orders"',
    );
    // The portable row_condition's value is bound like every other value.
    expect(planned?.statement.params).toEqual([1, "a", "b", 1, 2.5]);
  });

  it("batches set checks into one statement of cross-joined one-row subqueries", () => {
    const { planned } = setStatement(
      [
        resolved("unique", "id", {}, 3),
        resolved("relationships", "customer_id", { to: "customers", field: "id" }, 4),
      ],
      ctx,
    );
    expect(planned?.statement.sql).toMatch(
      /^SELECT k3\.checked AS k3_c, k3\.failed AS k3_f, k4\.checked AS k4_c, k4\.failed AS k4_f FROM \(.*\) AS k3 CROSS JOIN \(.*\) AS k4$/,
    );
    expect(planned?.statement.params).toEqual([]);
  });

  it("never writes a value into SQL text: the text is the same whatever the values", () => {
    const text = (values: string[], regex: string) =>
      aggregateStatement(
        [resolved("accepted_values", "c", { values }, 0), resolved("regex", "c", { regex }, 1)],
        ctx,
      ).planned?.statement;
    const reference = text(["x"], "y")?.sql;
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (value, regex) => {
        const statement = text([value], regex);
        expect(statement?.sql).toBe(reference);
        expect(statement?.params).toEqual([value, regex]);
      }),
    );
  });

  it("binds mixed-type value sets as text so no side decides the type", () => {
    const { planned } = aggregateStatement(
      [resolved("accepted_values", "c", { values: ["a", 1, true] })],
      ctx,
    );
    expect(planned?.statement.params).toEqual(["a", "1", "true"]);
    expect(planned?.statement.sql).toContain('"c" IN ($1, $2, $3)');
  });

  it("samples distinct values among the first 10 000 failing rows, with a bound limit, never from sensitive columns", () => {
    const c = resolved("between", "amount", { min_value: 0, max_value: 10 });
    const sample = sampleStatement(c, 5, new Set(), ctx);
    expect(sample?.statement.sql).toBe(
      'SELECT v0 FROM (SELECT CAST("amount" AS TEXT) AS v0 FROM "public"."orders" WHERE TRUE AND ("amount" IS NOT NULL) AND (NOT ("amount" >= CAST($1 AS BIGINT) AND "amount" <= CAST($2 AS BIGINT))) LIMIT 10000) AS s GROUP BY v0 ORDER BY 1 LIMIT CAST($3 AS BIGINT)',
    );
    expect(sample?.statement.params).toEqual([0, 10, 5]);
    expect(sampleStatement(c, 5, new Set(["amount"]), ctx)).toBeNull();
    expect(sampleStatement(c, 0, new Set(), ctx)).toBeNull();
    expect(sampleStatement(resolved("not_null", "amount", {}), 5, new Set(), ctx)).toBeNull();
  });

  it("samples several failed checks in one statement: row checks share one scan, the limit is bound once", () => {
    const between = resolved("between", "amount", { min_value: 0, max_value: 10 }, 0);
    const unique = resolved("unique", "id", {}, 3);
    const sample = samplesStatement([between, unique], 5, new Set(), ctx);
    const failing =
      '("amount" IS NOT NULL) AND (NOT ("amount" >= CAST($1 AS BIGINT) AND "amount" <= CAST($2 AS BIGINT)))';
    expect(sample?.statement.sql).toBe(
      `WITH f AS MATERIALIZED (SELECT ${failing} AS s0, CAST("amount" AS TEXT) AS s0_v0 FROM "public"."orders" WHERE (${failing})) ` +
        "SELECT k, r, v0 FROM (" +
        "SELECT 0 AS k, ROW_NUMBER() OVER (ORDER BY q.v0) AS r, CAST(q.v0 AS TEXT) AS v0 FROM (SELECT v0 FROM (SELECT s0_v0 AS v0 FROM f WHERE s0 LIMIT 10000) AS r GROUP BY v0 ORDER BY v0 LIMIT CAST($3 AS BIGINT)) AS q" +
        " UNION ALL " +
        'SELECT 1 AS k, ROW_NUMBER() OVER (ORDER BY q.v) AS r, CAST(q.v AS TEXT) AS v0 FROM (SELECT CAST(v AS TEXT) AS v FROM (SELECT "id" AS v, COUNT(*) AS n FROM "public"."orders" WHERE (TRUE) AND "id" IS NOT NULL GROUP BY "id") AS g WHERE n > 1 ORDER BY 1 LIMIT CAST($3 AS BIGINT)) AS q' +
        ") AS u ORDER BY k, r",
    );
    expect(sample?.statement.params).toEqual([0, 10, 5]);
    expect(sample?.checks.map((c) => c.index)).toEqual([0, 3]);
    expect(
      sample?.read([
        { k: 0, r: 1, v0: "-5" },
        { k: 0, r: 2, v0: "11" },
        { k: 1, r: 1, v0: "7" },
      ]),
    ).toEqual(
      new Map([
        [0, ["-5", "11"]],
        [3, ["7"]],
      ]),
    );
    // A check that failed on 10 000 rows or more reads the relation in an early-stopping branch.
    const often = samplesStatement([between, unique], 5, new Set(), ctx, new Map([[0, 10_000]]));
    expect(often?.statement.sql).toBe(
      "SELECT k, r, v0 FROM (" +
        `SELECT 0 AS k, ROW_NUMBER() OVER (ORDER BY q.v0) AS r, CAST(q.v0 AS TEXT) AS v0 FROM (SELECT v0 FROM (SELECT CAST("amount" AS TEXT) AS v0 FROM "public"."orders" WHERE ${failing} LIMIT 10000) AS r GROUP BY v0 ORDER BY v0 LIMIT CAST($3 AS BIGINT)) AS q` +
        " UNION ALL " +
        'SELECT 1 AS k, ROW_NUMBER() OVER (ORDER BY q.v) AS r, CAST(q.v AS TEXT) AS v0 FROM (SELECT CAST(v AS TEXT) AS v FROM (SELECT "id" AS v, COUNT(*) AS n FROM "public"."orders" WHERE (TRUE) AND "id" IS NOT NULL GROUP BY "id") AS g WHERE n > 1 ORDER BY 1 LIMIT CAST($3 AS BIGINT)) AS q' +
        ") AS u ORDER BY k, r",
    );
    expect(often?.statement.params).toEqual([0, 10, 5]);
    expect(samplesStatement([between, unique], 0, new Set(), ctx)).toBeNull();
    expect(samplesStatement([between, unique], 5, new Set(["amount", "id"]), ctx)).toBeNull();
    const masked = samplesStatement([between, unique], 5, new Set(["amount"]), ctx);
    expect(masked?.checks.map((c) => c.index)).toEqual([3]);
    expect(masked?.statement.sql).not.toContain("amount");
    expect(masked?.statement.params).toEqual([5]);
    expect(samplesStatement([resolved("not_null", "amount", {})], 5, new Set(), ctx)).toBeNull();
  });

  it("uses each dialect's regular-expression operator", () => {
    const r = resolved("regex", "email", { regex: "@" });
    expect(aggregateStatement([r], ctx).planned?.statement.sql).toContain('NOT ("email" ~ $1)');
    expect(aggregateStatement([r], { ...ctx, dialect: duckdb }).planned?.statement.sql).toContain(
      'NOT regexp_matches("email", $1)',
    );
  });
});
