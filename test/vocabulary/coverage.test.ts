// Every shipped plugin runs each type the vocabulary says it runs, and nothing
// else: adding a type to sdk/src/checks.ts fails here until each plugin either
// implements it or the vocabulary records why it declines it.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CHECK_TYPES, SHIPPED_PLUGINS, typesRunBy } from "@floe/quality-sdk";
import { describe, expect, it } from "vitest";
import { SUPPORTED_CHECK_TYPES as DBT_TYPES } from "../../plugins/dbt/src/project.js";
import { SUPPORTED_CHECK_TYPES as SQL_TYPES } from "../../plugins/sql/src/compile/index.js";

const ROOT = resolve(import.meta.dirname, "../..");
const sorted = (names: readonly string[]) => [...names].sort();

describe("the vocabulary's plugin column", () => {
  it("says for every type and shipped plugin either runs or declines with a reason", () => {
    for (const spec of CHECK_TYPES) {
      for (const plugin of SHIPPED_PLUGINS) {
        const support = spec.plugins[plugin];
        const ok =
          support === "runs" ||
          (typeof support === "object" &&
            typeof support.declines === "string" &&
            support.declines.length > 0);
        expect(ok, `${spec.type} on ${plugin}`).toBe(true);
      }
    }
  });

  it("matches floe_sql's compilers", () => {
    expect(sorted(SQL_TYPES)).toEqual(sorted(typesRunBy("floe_sql")));
  });

  it("matches dbt_expectations: each type it runs has its generic test in the floe_expectations package", () => {
    expect(sorted(DBT_TYPES)).toEqual(sorted(typesRunBy("dbt_expectations")));
    const macros = join(ROOT, "plugins/dbt/dbt_packages_src/floe_expectations/macros");
    const text = readdirSync(macros)
      .map((f) => readFileSync(join(macros, f), "utf8"))
      .join("\n");
    const tests = new Set([...text.matchAll(/\{%-?\s*test\s+(\w+)\s*\(/g)].map((m) => m[1]));
    const missing = CHECK_TYPES.filter((s) => s.plugins.dbt_expectations === "runs")
      .map((s) => s.dbtMapping.test)
      .filter((t) => !tests.has(t));
    expect(missing).toEqual([]);
  });

  it("matches what floe_spark compiles (the types its GetMetadata declares)", () => {
    const python = join(ROOT, ".venv/bin/python");
    const out = execFileSync(
      python,
      [
        "-c",
        "import json; from floe_quality_spark.checks import SUPPORTED_CHECK_TYPES; print(json.dumps(list(SUPPORTED_CHECK_TYPES)))",
      ],
      { cwd: join(ROOT, "plugins/spark"), encoding: "utf8", timeout: 120_000 },
    );
    expect(sorted(JSON.parse(out))).toEqual(sorted(typesRunBy("floe_spark")));
  });

  it("matches what great_expectations declares in GetMetadata", () => {
    const python = join(ROOT, ".venv/bin/python");
    const out = execFileSync(
      python,
      [
        "-c",
        "import json; from floe_quality_gx.plugin import GxPlugin; print(json.dumps(GxPlugin().metadata()['capabilities']['check_types']))",
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    expect(sorted(JSON.parse(out))).toEqual(sorted(typesRunBy("great_expectations")));
  });
});
