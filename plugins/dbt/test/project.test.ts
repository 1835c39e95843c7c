// The pure core of the plugin: relation names, durations, the Jinja-literal
// encoding (checked against dbt's own Jinja), and the generated project files.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contract, FloeError } from "@floe/quality-sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findDbtExecutable } from "../src/executable.js";
import { jinjaLiteral } from "../src/jinja.js";
import { dbtSeverity, planSuite, projectFiles } from "../src/project.js";
import { parseRelationName } from "../src/relation.js";
import { ensureProject, writeFileAtomic } from "../src/workdir.js";
import { check, duckDbConnection, postgresConnection, suiteOf } from "./support.js";

/** Renders templates with the Jinja2 that dbt itself runs (from dbt's virtual environment). */
function renderWithJinja(templates: string[]): string[] {
  const python = findDbtExecutable().replace(/dbt$/, "python");
  const script =
    "import json,sys,jinja2\nenv=jinja2.Environment()\nprint(json.dumps([env.from_string(t).render() for t in json.load(sys.stdin)]))";
  return JSON.parse(
    execFileSync(python, ["-c", script], { input: JSON.stringify(templates), encoding: "utf8" }),
  );
}

describe("relation names", () => {
  it("reports the SDK parser's message for a bad relation (cases: sdk/vectors/primitives.json)", () => {
    expect(parseRelationName('wh."my.schema"."a""b"')).toEqual({
      database: "wh",
      schema: "my.schema",
      identifier: 'a"b',
    });
    expect(parseRelationName("a..b")).toBe('empty part in relation "a..b"');
  });
});

describe("arguments the package's tests receive", () => {
  const argumentsOf = (type: string, column: string, parameters: Record<string, unknown>) => {
    const plan = planSuite(
      suiteOf("orders", [check("c", type, column, parameters)]),
      "orders",
      duckDbConnection("/tmp/w.duckdb"),
    );
    const [properties] = [JSON.parse(plan.content)];
    const tests = properties.sources[0].tables[0].data_tests;
    return Object.values(tests[0] as Record<string, { arguments: Record<string, unknown> }>)[0]
      ?.arguments;
  };
  const rendered = (value: unknown) => renderWithJinja([String(value)])[0];

  it("gives recency its max_age as a calendar interval, as floe_sql computes it", () => {
    const args = argumentsOf("recency", "ts", { max_age: "P1M" });
    expect(rendered(args?.max_age)).toBe("1 months 0 days 0 seconds");
  });

  it("translates the portable row_condition to SQL with quoted columns and literal values", () => {
    const args = argumentsOf("not_null", "email", {
      row_condition: "status = 'it''s' AND \"Amt\" > 1",
    });
    expect(rendered(args?.row_condition)).toBe(`(("status" = 'it''s') AND ("Amt" > 1))`);
  });

  it("passes row_condition_sql (the SQL-only filter) as written", () => {
    const args = argumentsOf("not_null", "email", { row_condition_sql: "lower(status) = 'x'" });
    expect(rendered(args?.row_condition)).toBe("lower(status) = 'x'");
  });

  it("keeps strict_min and strict_max apart", () => {
    const args = argumentsOf("between", "x", { min_value: 1, max_value: 10, strict_min: true });
    expect([args?.strict_min, args?.strict_max]).toEqual([true, undefined]);
  });
});

describe("Jinja literals", () => {
  it("render back to exactly the original text in dbt's Jinja, whatever the text holds", () => {
    const samples = fc.sample(fc.string({ unit: "grapheme", maxLength: 40 }), 200);
    samples.push(
      "{{ 7*7 }}",
      "{% raw %}",
      '"; drop table x; --',
      "it's",
      "\\u0041",
      "{# c #}",
      "\u{1F600}",
    );
    expect(renderWithJinja(samples.map(jinjaLiteral))).toEqual(samples);
  });

  it("contain no template delimiter and no character but ASCII letters, digits and escapes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const body = jinjaLiteral(text).slice(4, -4);
        return /^[A-Za-z0-9\\]*$/.test(body.replace(/\\[uU][0-9a-f]+/g, ""));
      }),
    );
  });
});

describe("the generated project", () => {
  it("writes the password as an env_var() reference, never as text", () => {
    const files = projectFiles(
      { ...postgresConnection("postgresql://etl@db.internal:5433/shop"), password: "hunter2" },
      { threads: 4, applicationName: "floe-dbt-x" },
    );
    expect(files["profiles.yml"]).not.toContain("hunter2");
    expect(files["profiles.yml"]).toContain("{{ env_var('FLOE_DBT_PASSWORD', '') }}");
    expect(JSON.parse(files["profiles.yml"]).floe.outputs.floe).toMatchObject({
      type: "postgres",
      port: 5433,
      threads: 4,
    });
  });

  it("maps floe severity to dbt severity: critical fails the dbt run, warning and info warn", () => {
    expect(dbtSeverity(contract.Severity.SEVERITY_CRITICAL)).toBe("error");
    expect(dbtSeverity(contract.Severity.SEVERITY_WARNING)).toBe("warn");
    expect(dbtSeverity(contract.Severity.SEVERITY_INFO)).toBe("warn");
  });

  it("declares the table as a source and each check as a generic test carrying meta.floe_check", () => {
    const plan = planSuite(
      suiteOf("orders", [
        check(
          "status_known",
          "expect_column_values_to_be_in_set",
          "status",
          { value_set: ["a"] },
          contract.Severity.SEVERITY_INFO,
        ),
        { ...check("off", "not_null", "id"), enabled: false },
        check("fk", "relationships", "customer_id", { to: "crm.customers", field: "id" }),
      ]),
      "analytics.orders",
      duckDbConnection("/data/shop.duckdb"),
    );
    const yaml = JSON.parse(plan.content);
    expect(yaml.sources.map((s: { schema: string }) => s.schema)).toEqual([
      jinjaLiteral("analytics"),
      jinjaLiteral("crm"),
    ]);
    const tests = yaml.sources[0].tables[0].data_tests;
    expect(Object.keys(tests[0])).toEqual(["floe_expectations.expect_column_values_to_be_in_set"]);
    expect(tests[0]["floe_expectations.expect_column_values_to_be_in_set"]).toMatchObject({
      arguments: { column_name: "status", value_set: [jinjaLiteral("a")] },
      config: { severity: "warn", meta: { floe_check: "status_known", dimension: "validity" } },
    });
    expect(tests[1]["floe_expectations.relationships"].arguments.to).toBe(
      `{{ source('${yaml.sources[1].name}', 't1') }}`,
    );
    expect(Object.keys(tests[2])).toEqual(["floe_expectations.floe_counts"]);
    expect(plan.checks.map((c) => [c.check.name, c.type])).toEqual([
      ["status_known", "accepted_values"],
      ["fk", "relationships"],
    ]);
  });

  it("rejects unknown types, bad parameters and repeated names with FLOE-DQ101 at the check's path", () => {
    const attempt = (checks: contract.QualityCheck[]) => {
      try {
        planSuite(suiteOf("orders", checks), "orders", duckDbConnection("/x.duckdb"));
      } catch (error) {
        return error instanceof FloeError ? [error.code, error.path, error.message] : error;
      }
    };
    expect(attempt([check("a", "not_a_check", "id")])).toEqual([
      "FLOE-DQ101",
      "models.orders.quality_checks[0]",
      'check "a": unknown check type "not_a_check"',
    ]);
    expect(attempt([check("a", "between", "id", {})])).toEqual([
      "FLOE-DQ101",
      "models.orders.quality_checks[0].parameters",
      'check "a" (between): min_value: give min_value, max_value or both',
    ]);
    expect(attempt([check("a", "not_null", "id"), check("a", "unique", "id")])).toEqual([
      "FLOE-DQ101",
      "models.orders.quality_checks[1].name",
      'check name "a" is used twice in suite "orders"',
    ]);
  });
});

describe("the work directory", () => {
  const files = projectFiles(duckDbConnection("/data/shop.duckdb"), {
    threads: 2,
    applicationName: "floe-dbt-x",
  });

  it("replaces a half-written project whole, leaving no temporary directory", () => {
    const root = mkdtempSync(join(tmpdir(), "floe-dbt-root-"));
    const dir = join(root, "abc");
    mkdirSync(join(dir, "models"), { recursive: true });
    writeFileSync(join(dir, "profiles.yml"), "{trunc");
    ensureProject(dir, files);
    expect(readFileSync(join(dir, "profiles.yml"), "utf8")).toBe(files["profiles.yml"]);
    expect(readFileSync(join(dir, "dbt_project.yml"), "utf8")).toBe(files["dbt_project.yml"]);
    expect(readdirSync(join(dir, "dbt_packages", "floe_expectations", "macros")).sort()).toEqual([
      "aggregates.sql",
      "column_values.sql",
      "conditions.sql",
      "sets.sql",
      "sql.sql",
    ]);
    expect(readdirSync(root)).toEqual(["abc"]);
  });

  it("rewrites a file only when its content changes, through a rename", () => {
    const root = mkdtempSync(join(tmpdir(), "floe-dbt-root-"));
    const path = join(root, "models", "suite.yml");
    expect(writeFileAtomic(path, "a")).toBe(true);
    expect(writeFileAtomic(path, "a")).toBe(false);
    expect(writeFileAtomic(path, "b")).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("b");
    expect(readdirSync(join(root, "models"))).toEqual(["suite.yml"]);
  });
});
