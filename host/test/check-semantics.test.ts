// Compile-time meaning of checks that every provider shares: relationships
// resolved to the target model's relation, the portable row_condition parsed and
// its columns checked, inverted bounds refused, and the edge cases GX defines an
// answer for (empty value set, empty regex, null in a set) accepted.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { type CompileInput, compileProject } from "../src/compile/index.js";

const EXAMPLES = resolve(import.meta.dirname, "../../examples");
const source = (path: string) => ({
  file: `examples/${path}`,
  text: readFileSync(join(EXAMPLES, path), "utf8"),
});

interface ProductShape {
  models: {
    name: string;
    relation?: string;
    columns?: string[];
    quality_checks: Record<string, unknown>[];
  }[];
}

/** The example project with the product changed by `change`. */
function compileWith(change: (product: ProductShape) => void) {
  const product = parse(source("products/shop/floe.yaml").text) as ProductShape;
  change(product);
  const input: CompileInput = {
    enterprise: source("manifest.yaml"),
    domain: source("domains/sales/manifest.yaml"),
    product: { file: "examples/products/shop/floe.yaml", text: stringify(product) },
    knownProviders: ["dbt_expectations", "floe_sql", "great_expectations"],
  };
  return compileProject(input);
}

const model = (p: ProductShape, name: string) => p.models.find((m) => m.name === name)!;

function addCheck(modelName: string, check: Record<string, unknown>) {
  return compileWith((p) => model(p, modelName).quality_checks.push(check));
}

function problems(result: ReturnType<typeof compileWith>) {
  return result.diagnostics.map((d) => [d.level, d.code, d.path, d.message]);
}

describe("relationships.to", () => {
  it("names a model by its name and runs against the model's relation", () => {
    const result = compileWith((p) => {
      model(p, "customers").relation = "fin.customers";
      model(p, "orders").quality_checks.push({
        name: "orders_customer_known",
        type: "relationships",
        column: "customer_id",
        parameters: { to: "customers", field: "customer_id" },
      });
    });
    expect(problems(result)).toEqual([]);
    if (!result.ok) throw new Error("compile failed");
    const orders = result.artifacts.models.find((m) => m.name === "orders")!;
    const check = orders.quality_checks.find((c) => c.name === "orders_customer_known")!;
    expect(check.parameters.to).toBe("fin.customers");
  });

  it("checks field against the target model when to is written as the model's relation", () => {
    const result = compileWith((p) => {
      model(p, "customers").relation = "fin.customers";
      model(p, "orders").quality_checks.push({
        name: "orders_customer_known",
        type: "relationships",
        column: "customer_id",
        parameters: { to: "fin.customers", field: "customer_key" },
      });
    });
    expect(result.ok).toBe(false);
    expect(problems(result)).toContainEqual([
      "error",
      "FLOE-DQ105",
      expect.stringMatching(/quality_checks\[\d+\]\.parameters\.field$/),
      expect.stringContaining("model customers has no column 'customer_key'"),
    ]);
  });
});

describe("row_condition", () => {
  it("is parsed at compile time: GX's col() syntax is FLOE-DQ101 with the portable form in the message", () => {
    const result = addCheck("orders", {
      name: "paid_amount",
      type: "not_null",
      column: "amount",
      parameters: { row_condition: 'col("status") == "paid"' },
    });
    expect(result.ok).toBe(false);
    const [found] = result.diagnostics.filter((d) => d.code === "FLOE-DQ101");
    expect(found?.path).toMatch(/parameters\.row_condition$/);
    expect(found?.message).toContain(
      "row_condition: expected a comparison, IN or IS [NOT] NULL, found ( (at character 4); write e.g. status = 'active' AND amount > 0",
    );
  });

  it("reads only known columns (FLOE-DQ105 names the unknown one)", () => {
    const result = addCheck("orders", {
      name: "paid_amount",
      type: "not_null",
      column: "amount",
      parameters: { row_condition: "status = 'paid' AND shipped_on IS NULL" },
    });
    expect(result.ok).toBe(false);
    const found = result.diagnostics.filter((d) => d.code === "FLOE-DQ105");
    expect(found.map((d) => d.message)).toEqual([
      expect.stringContaining("unknown column 'shipped_on'"),
    ]);
    expect(found[0]?.path).toMatch(/parameters\.row_condition$/);
  });

  it("compiles when the columns exist, and row_condition_sql compiles with a warning", () => {
    const result = compileWith((p) => {
      model(p, "orders").quality_checks.push(
        {
          name: "paid_amount",
          type: "not_null",
          column: "amount",
          parameters: { row_condition: "status IN ('paid', 'shipped') AND NOT amount < 0" },
        },
        {
          name: "recent_amount",
          type: "not_null",
          column: "amount",
          parameters: { row_condition_sql: "ordered_at > now() - INTERVAL 1 DAY" },
        },
      );
    });
    expect(result.ok).toBe(true);
    expect(problems(result)).toEqual([
      [
        "warning",
        "FLOE-DQ101",
        expect.stringMatching(/parameters\.row_condition_sql$/),
        expect.stringContaining("row_condition_sql is engine-specific SQL"),
      ],
    ]);
  });
});

describe("edge cases every provider answers the same way", () => {
  it("refuses min_value greater than max_value with FLOE-DQ101", () => {
    const result = addCheck("orders", {
      name: "amount_inverted",
      type: "between",
      column: "amount",
      parameters: { min_value: 10, max_value: 1 },
    });
    expect(result.ok).toBe(false);
    expect(problems(result)).toContainEqual([
      "error",
      "FLOE-DQ101",
      expect.stringMatching(/parameters\.min_value$/),
      expect.stringContaining("min_value 10 is greater than max_value 1: no value could pass"),
    ]);
  });

  it("accepts an empty value set, an empty regex and a null in a set (the null is dropped)", () => {
    const result = compileWith((p) => {
      model(p, "orders").quality_checks.push(
        {
          name: "no_status",
          type: "accepted_values",
          column: "status",
          parameters: { values: [] },
        },
        { name: "any_status", type: "regex", column: "status", parameters: { regex: "" } },
        {
          name: "status_not_null_or_void",
          type: "not_accepted_values",
          column: "status",
          parameters: { values: [null, "void"] },
        },
        {
          name: "amount_one_sided",
          type: "between",
          column: "amount",
          parameters: { min_value: 0, max_value: 10, strict_min: true },
        },
      );
    });
    expect(problems(result)).toEqual([]);
    if (!result.ok) throw new Error("compile failed");
    const checks = result.artifacts.models.find((m) => m.name === "orders")!.quality_checks;
    const params = (name: string) => checks.find((c) => c.name === name)?.parameters;
    expect(params("no_status")).toEqual({ values: [] });
    expect(params("any_status")).toEqual({ regex: "" });
    expect(params("status_not_null_or_void")).toEqual({ values: ["void"] });
    expect(params("amount_one_sided")).toEqual({ min_value: 0, max_value: 10, strict_min: true });
  });
});
