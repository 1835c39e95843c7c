// The pure check compiler: quoting, relation names, durations, and the rule
// that no value ever becomes SQL text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  aggregateStatement,
  duckdb,
  intervalText,
  parseIsoDuration,
  parseRelation,
  postgres,
  quoteIdentifier,
  quoteRelation,
  type ResolvedCheck,
  resolveCheck,
  sampleStatement,
  setStatement,
  storedIdentifier,
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

describe("identifiers and relations", () => {
  it("quotes identifiers by doubling quotes and refuses NUL", () => {
    expect(quoteIdentifier('a"b; DROP TABLE x; --')).toBe('"a""b; DROP TABLE x; --"');
    expect(quoteIdentifier("select")).toBe('"select"');
    expect(() => quoteIdentifier("a\u0000b")).toThrow("NUL");
  });

  it("parses quoted and unquoted relation parts and round-trips any names", () => {
    expect(parseRelation("orders").parts).toEqual(["orders"]);
    expect(parseRelation("orders", "sales").parts).toEqual(["sales", "orders"]);
    expect(parseRelation('analytics."my.table"').parts).toEqual(["analytics", "my.table"]);
    expect(parseRelation('"a""b".c').parts).toEqual(['a"b', "c"]);
    expect(() => parseRelation("a..b")).toThrow("empty part");
    expect(() => parseRelation('"open')).toThrow("unclosed quote");
    expect(() => parseRelation("a.b.c.d")).toThrow("more than three parts");
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1 }).filter((s) => !s.includes("\u0000")),
          { minLength: 1, maxLength: 3 },
        ),
        (parts) => {
          expect(parseRelation(quoteRelation({ parts })).parts).toEqual(parts);
        },
      ),
    );
  });

  it("knows PostgreSQL keeps 63 bytes of a name, cut on a character boundary", () => {
    expect(storedIdentifier(postgres, "a".repeat(200))).toBe("a".repeat(63));
    expect(storedIdentifier(postgres, "ü".repeat(200))).toBe("ü".repeat(31));
    expect(storedIdentifier(duckdb, "a".repeat(200))).toBe("a".repeat(200));
  });
});

describe("durations", () => {
  it("turns ISO-8601 durations into months, days and seconds", () => {
    expect(parseIsoDuration("P1Y2M3W4DT5H6M7.5S")).toEqual({
      months: 14,
      days: 25,
      seconds: 18367.5,
    });
    expect(intervalText(parseIsoDuration("PT6H"))).toBe("0 months 0 days 21600 seconds");
    expect(() => parseIsoDuration("1 day")).toThrow("not an ISO-8601 duration");
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
        'COALESCE(SUM(CASE WHEN ((qty > 1)) AND ("status" IS NOT NULL) THEN 1 ELSE 0 END), 0) AS k1_c, ' +
        'COALESCE(SUM(CASE WHEN ((qty > 1)) AND ("status" IS NOT NULL) AND (NOT ("status" IN ($1, $2))) THEN 1 ELSE 0 END), 0) AS k1_f, ' +
        'COUNT("qty") AS k2_c, CAST(AVG("qty") AS DOUBLE PRECISION) AS k2_o, ' +
        'CAST(AVG("qty") AS DOUBLE PRECISION) >= CAST($3 AS BIGINT) AND CAST(AVG("qty") AS DOUBLE PRECISION) <= CAST($4 AS DOUBLE PRECISION) AS k2_p ' +
        'FROM "public"."orders"',
    );
    expect(planned?.statement.params).toEqual(["a", "b", 1, 2.5]);
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

  it("uses each dialect's regular-expression operator", () => {
    const r = resolved("regex", "email", { regex: "@" });
    expect(aggregateStatement([r], ctx).planned?.statement.sql).toContain('NOT ("email" ~ $1)');
    expect(aggregateStatement([r], { ...ctx, dialect: duckdb }).planned?.statement.sql).toContain(
      'NOT regexp_matches("email", $1)',
    );
  });
});
