// Hostile names and values: quotes, semicolons, "; DROP TABLE", unicode,
// reserved words, 200-character names. They are checked correctly and the
// database is left exactly as it was.
import { describe, expect, it } from "vitest";
import { CUSTOMERS, EMPTY_ORDERS, type FixtureTable, ORDERS, snapshotSql } from "./fixture.js";
import { check, runOn, summary, useEngines } from "./harness.js";

const TABLE = 'Ta"ble; DROP TABLE orders; --';
const SELECT = "select";
const DROP = '"; DROP TABLE orders; --';
const UNICODE = "prénom 名前 🚀";
const LONG = "ü".repeat(200);
const ORDER = "order";

const HOSTILE: FixtureTable = {
  name: TABLE,
  columns: [
    [SELECT, "TEXT"],
    [DROP, "TEXT"],
    [UNICODE, "TEXT"],
    [LONG, "TEXT"],
    [ORDER, "INTEGER"],
  ],
  rows: [
    ["it's", "'; DROP TABLE orders; --", "Zoë", "a", 1],
    ['x"y', null, "名前", "b", 2],
    [null, "ok", "🚀", "a", 2],
    ["plain", "ok", null, null, null],
  ],
};

const engines = useEngines([ORDERS, CUSTOMERS, EMPTY_ORDERS, HOSTILE]);

const SUITE = [
  ...[SELECT, DROP, UNICODE, LONG, ORDER].map((c, i) => check(`not_null_${i}`, "not_null", c)),
  check("select_accepted", "accepted_values", SELECT, { values: ["it's", 'x"y'] }),
  check("drop_accepted", "accepted_values", DROP, { values: ["'; DROP TABLE orders; --"] }),
  check("unicode_regex", "regex", UNICODE, { regex: "^(Zoë|名前)$" }),
  check("long_unique", "unique", LONG),
  check("order_between", "between", ORDER, { min_value: 1, max_value: 1 }),
  check("long_exists", "column_exists", LONG),
  check("unicode_exists", "column_exists", UNICODE),
  check("self_fk", "relationships", ORDER, { to: TABLE, field: ORDER }),
  check("order_pair", "pair_greater_than", "", {
    column_a: ORDER,
    column_b: ORDER,
    or_equal: true,
  }),
  check("order_expr", "expression_is_true", "", { expression: '"order" >= 1' }),
  check("value_is_not_sql", "not_accepted_values", SELECT, { values: ["x' OR '1'='1", "plain"] }),
];

describe.each(engines)("hostile identifiers and values on $name", (target) => {
  it("checks them exactly and changes nothing", async () => {
    const before = {
      orders: await target.rawQuery(snapshotSql(ORDERS)),
      hostile: await target.rawQuery(snapshotSql(HOSTILE)),
    };
    const { results } = await runOn(target, TABLE, SUITE);
    const s = (name: string) => summary(results.get(name));
    const samples = (name: string) => results.get(name)?.details?.failing_samples;
    for (let i = 0; i < 5; i++) {
      expect(s(`not_null_${i}`)).toEqual({
        status: "CHECK_STATUS_FAILED",
        passed: false,
        checked: 4,
        failed: 1,
      });
    }
    expect(s("select_accepted")).toEqual({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked: 3,
      failed: 1,
    });
    expect(samples("select_accepted")).toEqual(["plain"]);
    expect(s("drop_accepted")).toEqual({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked: 3,
      failed: 2,
    });
    expect(samples("drop_accepted")).toEqual(["ok"]);
    expect(s("unicode_regex")).toEqual({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked: 3,
      failed: 1,
    });
    expect(samples("unicode_regex")).toEqual(["🚀"]);
    expect(s("long_unique")).toEqual({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked: 3,
      failed: 2,
    });
    expect(samples("long_unique")).toEqual(["a"]);
    expect(s("order_between")).toEqual({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked: 3,
      failed: 2,
    });
    expect(s("long_exists")).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 1,
      failed: 0,
    });
    expect(s("unicode_exists")).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 1,
      failed: 0,
    });
    expect(s("self_fk")).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 3,
      failed: 0,
    });
    expect(s("order_pair")).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 3,
      failed: 0,
    });
    expect(s("order_expr")).toEqual({
      status: "CHECK_STATUS_PASSED",
      passed: true,
      checked: 4,
      failed: 0,
    });
    expect(s("value_is_not_sql")).toEqual({
      status: "CHECK_STATUS_FAILED",
      passed: false,
      checked: 3,
      failed: 1,
    });

    expect(await target.rawQuery(snapshotSql(ORDERS))).toEqual(before.orders);
    expect(await target.rawQuery(snapshotSql(HOSTILE))).toEqual(before.hostile);
    const tables = await target.rawQuery(
      "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('main', 'public') ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'Ta"ble; DROP TABLE orders; --',
      "customers",
      "empty_orders",
      "orders",
    ]);
  });

  it("stores a 200-character name as the database does (PostgreSQL keeps 63 bytes)", async () => {
    const columns = await target.rawQuery(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'Ta"ble; DROP TABLE orders; --' ORDER BY ordinal_position`,
    );
    const stored = columns.map((c) => c.column_name as string)[3];
    expect(stored).toBe(target.name === "postgres" ? "ü".repeat(31) : LONG);
  });
});
