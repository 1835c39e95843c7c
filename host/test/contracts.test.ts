// ODCS v3 contracts → floe checks (pure), and `contract:` in floe.yaml at compile.
import { describe, expect, it } from "vitest";
import { compileProject } from "../src/compile/index.js";
import { BUILT_IN_ENTERPRISE } from "../src/config/defaults.js";
import { importOdcsContract } from "../src/contracts/odcs.js";
import { initModels, keyColumns } from "../src/scaffold/init.js";
import { renderProductYaml } from "../src/scaffold/product.js";

const HEAD = "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: active\n";
const contract = (body: string) => ({ file: "c.odcs.yaml", text: `${HEAD}${body}` });

function imported(body: string) {
  const result = importOdcsContract(contract(body));
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result;
}

describe("importOdcsContract", () => {
  it("maps a composite primary key to not_null per column and one compound_unique in key order", () => {
    const result = imported(`schema:
  - name: lines
    physicalName: order_lines
    properties:
      - {name: line_no, primaryKey: true, primaryKeyPosition: 2}
      - {name: order_id, primaryKey: true, primaryKeyPosition: 1}
`);
    expect(result.models).toEqual([
      {
        name: "lines",
        relation: "order_lines",
        columns: ["line_no", "order_id"],
        quality_checks: [
          {
            name: "lines_primary_key_unique",
            type: "compound_unique",
            parameters: { columns: ["order_id", "line_no"] },
          },
        ],
      },
    ]);
  });

  it("maps schema-level duplicateValues, rowCount between and invalidValues with a pattern", () => {
    const result = imported(`schema:
  - name: t
    properties:
      - name: code
        quality:
          - {id: code-format, metric: invalidValues, arguments: {pattern: "^[A-Z]+$"}, mustBe: 0, severity: low}
    quality:
      - {metric: duplicateValues, arguments: {properties: [a, b]}, mustBe: 0, dimension: uniqueness}
      - {metric: rowCount, mustBeBetween: [10, 20]}
      - {metric: rowCount, mustBeLessThan: 100}
`);
    expect(result.models[0]!.quality_checks).toEqual([
      {
        name: "code_format",
        type: "regex",
        column: "code",
        severity: "info",
        parameters: { regex: "^[A-Z]+$" },
      },
      {
        name: "a_b_unique",
        type: "compound_unique",
        dimension: "consistency",
        parameters: { columns: ["a", "b"] },
      },
      {
        name: "row_count",
        type: "row_count_between",
        parameters: { min_value: 10, max_value: 20 },
      },
      { name: "row_count_2", type: "row_count_between", parameters: { max_value: 99 } },
    ]);
    expect(result.unsupported).toEqual([]);
  });

  it("lists what it cannot express with the rule's place, never drops it", () => {
    const result = imported(`schema:
  - name: t
    properties:
      - name: a
        logicalTypeOptions: {format: email, exclusiveMinimum: 3}
        quality:
          - {metric: nullValues, mustNotBe: 0}
          - {metric: missingValues, arguments: {missingValues: ["", "n/a"]}, mustBe: 0}
          - {type: custom, engine: soda, implementation: "x"}
`);
    expect(result.models[0]!.quality_checks).toEqual([]);
    expect(result.unsupported.map((d) => [d.code, d.level, d.file, d.path, d.message])).toEqual([
      [
        "FLOE-DQ101",
        "warning",
        "c.odcs.yaml:10:63",
        "schema[0].properties[0].logicalTypeOptions.exclusiveMinimum",
        "model t: logicalTypeOptions.exclusiveMinimum of column a has no floe check; it is not checked",
      ],
      [
        "FLOE-DQ101",
        "warning",
        "c.odcs.yaml:12:13",
        "schema[0].properties[0].quality[0]",
        "model t: quality rule 'nullValues' (metric nullValues on the column a, as written) has no floe check; it is not checked",
      ],
      [
        "FLOE-DQ101",
        "warning",
        "c.odcs.yaml:13:13",
        "schema[0].properties[0].quality[1]",
        "model t: quality rule 'missingValues' (metric missingValues on the column a, as written) has no floe check; it is not checked",
      ],
      [
        "FLOE-DQ101",
        "warning",
        "c.odcs.yaml:14:13",
        "schema[0].properties[0].quality[2]",
        "model t: quality rule 'custom' (type custom) has no floe check; it is not checked",
      ],
    ]);
  });

  it("refuses a file that is not an ODCS v3 contract, naming the field", () => {
    const result = importOdcsContract({
      file: "old.yaml",
      text: "apiVersion: v2.2.2\nkind: DataContract\nid: x\nversion: 1.0.0\n",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => [d.code, d.file, d.path, d.message])).toEqual([
      [
        "FLOE-DQ100",
        "old.yaml:1:13",
        "apiVersion",
        "not an ODCS v3 contract (apiVersion v3.x.y expected)",
      ],
    ]);
  });
});

describe("contract: in floe.yaml", () => {
  const CONTRACT = contract(`schema:
  - name: orders
    properties:
      - {name: id, required: true, unique: true}
      - {name: status, quality: [{id: status_known, metric: invalidValues, arguments: {validValues: [a, b]}, mustBe: 0}]}
`);

  it("joins the contract's checks after the product's; a same-named product check replaces the contract's", () => {
    const product = {
      file: "floe.yaml",
      text: `name: p
compute: {dialect: duckdb, path: w.duckdb}
contract: c.odcs.yaml
models:
  - name: orders
    tier: silver
    quality_checks:
      - {name: status_known, type: accepted_values, column: status, parameters: {values: [a, b, c]}}
`,
    };
    const result = compileProject({
      enterprise: BUILT_IN_ENTERPRISE,
      product,
      contracts: new Map([["c.odcs.yaml", CONTRACT]]),
      knownProviders: ["floe_sql"],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const [orders] = result.artifacts.models;
    expect(orders!.quality_tier).toBe("silver");
    expect(orders!.columns).toEqual(["id", "status"]);
    expect(orders!.quality_checks.map((c) => [c.name, c.type, c.parameters])).toEqual([
      ["status_known", "accepted_values", { values: ["a", "b", "c"] }],
      ["id_not_null", "not_null", {}],
      ["id_unique", "unique", {}],
    ]);
  });

  it("is a FLOE-DQ100 at contract when the file was not read", () => {
    const result = compileProject({
      enterprise: BUILT_IN_ENTERPRISE,
      product: {
        file: "floe.yaml",
        text: "name: p\ncompute: {dialect: duckdb, path: w.duckdb}\ncontract: missing.yaml\n",
      },
      knownProviders: ["floe_sql"],
    });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => [d.code, d.file, d.path, d.message])).toEqual([
      ["FLOE-DQ100", "floe.yaml:3:11", "contract", "contract missing.yaml was not read"],
    ]);
  });
});

describe("init's models", () => {
  const table = (name: string, columns: string[], keys: string[] = []) => ({
    schema: "main",
    name,
    columns,
    types: columns.map(() => "VARCHAR"),
    keys,
  });

  it("takes a declared key first, then id-like names, else none", () => {
    expect(keyColumns(table("orders", ["a", "order_id"], ["a"]))).toEqual(["a"]);
    expect(keyColumns(table("orders", ["created_at", "order_id"]))).toEqual(["order_id"]);
    expect(keyColumns(table("people", ["name", "ID"]))).toEqual(["ID"]);
    expect(keyColumns(table("events", ["event_id", "kind"]))).toEqual(["event_id"]);
    expect(keyColumns(table("notes", ["body", "author_id"]))).toEqual([]);
  });

  it("writes hostile names as YAML strings that read back as written", () => {
    const models = initModels(
      [
        table('we"ird: table', ["#id", "sp ace"], ["#id"]),
        { ...table("t", ["k1", "k2"], ["k1", "k2"]), schema: "other" },
      ],
      "main",
    );
    const text = renderProductYaml({
      header: ["x"],
      name: "p",
      compute: { dialect: "duckdb", path: "w.duckdb" },
      models,
    });
    const result = compileProject({
      enterprise: BUILT_IN_ENTERPRISE,
      product: { file: "floe.yaml", text },
      knownProviders: ["floe_sql"],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    expect(
      result.artifacts.models.map((m) => [m.name, m.relation, m.quality_checks.map((c) => c.name)]),
    ).toEqual([
      ['we"ird: table', 'we"ird: table', ["#id_not_null", "#id_unique"]],
      ["t", "other.t", ["k1_not_null", "k2_not_null", "t_key_unique"]],
    ]);
  });
});
