// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} references are what these tests are about
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CHECK_TYPES } from "@floe/quality-sdk";
import { describe, expect, it } from "vitest";
import { QualityCheckSchema, QualitySuiteSchema } from "../src/config/check.js";
import { EnterpriseManifestSchema } from "../src/config/files.js";
import {
  parseConfigText,
  parseDomainManifest,
  parseEnterpriseManifest,
  parseProduct,
} from "../src/config/load.js";
import type { Diagnostic } from "../src/errors/index.js";

function failures(result: { ok: boolean; diagnostics?: Diagnostic[] }): Diagnostic[] {
  expect(result.ok).toBe(false);
  return (result as { diagnostics: Diagnostic[] }).diagnostics;
}

const product = (models: string) => `name: shop
compute: {dialect: duckdb, path: shop.duckdb}
models:
${models}`;

describe("QualityCheck", () => {
  it("fills severity warning, enabled true and the type's default dimension", () => {
    const check = QualityCheckSchema.parse({ name: "id", type: "not_null", column: "id" });
    expect(check).toEqual({
      name: "id",
      type: "not_null",
      column: "id",
      dimension: "completeness",
      severity: "warning",
      parameters: {},
      enabled: true,
    });
  });

  it("resolves a GX class name and its kwargs to the floe type and parameter names", () => {
    const check = QualityCheckSchema.parse({
      name: "status",
      type: "ExpectColumnValuesToBeInSet",
      column: "status",
      parameters: { value_set: ["a", "b"], mostly: 0.9 },
    });
    expect(check.type).toBe("accepted_values");
    expect(check.dimension).toBe("validity");
    expect(check.parameters).toEqual({ values: ["a", "b"], mostly: 0.9 });
  });

  it("resolves dbt-expectations names and arguments (column_list, strict_min)", () => {
    const compound = QualityCheckSchema.parse({
      name: "pk",
      type: "expect_compound_columns_to_be_unique",
      parameters: { column_list: ["a", "b"] },
    });
    expect(compound.type).toBe("compound_unique");
    expect(compound.parameters).toEqual({ columns: ["a", "b"] });
    const between = QualityCheckSchema.parse({
      name: "amount",
      type: "expect_column_values_to_be_between",
      column: "amount",
      parameters: { min_value: 0, strict_min: true },
    });
    // GX's one-sided strictness stays one-sided; `strictly` means both sides.
    expect(between).toMatchObject({
      type: "between",
      parameters: { min_value: 0, strict_min: true },
    });
    expect(between.parameters).not.toHaveProperty("strict_max");
  });

  it("keeps an explicit dimension, severity, custom_weight and enabled", () => {
    const check = QualityCheckSchema.parse({
      name: "fresh",
      type: "recency",
      column: "ts",
      dimension: "accuracy",
      severity: "critical",
      custom_weight: 0.1,
      enabled: false,
      parameters: { max_age: "PT6H" },
    });
    expect(check).toMatchObject({
      dimension: "accuracy",
      severity: "critical",
      custom_weight: 0.1,
      enabled: false,
    });
  });

  it("is the identity on a resolved check", () => {
    const once = QualityCheckSchema.parse({
      name: "v",
      type: "expect_column_values_to_be_in_set",
      column: "c",
      parameters: { value_set: [1] },
    });
    expect(QualityCheckSchema.parse(once)).toEqual(once);
  });

  it("rejects custom_weight outside 0.1 to 10 with FLOE-DQ101", () => {
    const result = QualityCheckSchema.safeParse({
      name: "x",
      type: "unique",
      column: "c",
      custom_weight: 10.5,
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({
      path: ["custom_weight"],
      message: "custom_weight 10.5 is outside 0.1 to 10",
      params: { floe_code: "FLOE-DQ101" },
    });
  });

  it("suite rejects duplicate check names", () => {
    const result = QualitySuiteSchema.safeParse({
      model_name: "m",
      checks: [
        { name: "a", type: "unique", column: "c" },
        { name: "a", type: "not_null", column: "c" },
      ],
    });
    expect(result.error!.issues.map((i) => [i.path, i.message])).toEqual([
      [["checks", 1, "name"], "duplicate check name 'a' (also check #1 of this model)"],
    ]);
  });
});

describe("loading files", () => {
  it("reads the example enterprise manifest", () => {
    const result = parseEnterpriseManifest({
      file: "manifest.yaml",
      text: "scope: enterprise\nplugins: {quality: {provider: floe_sql}}\nquality:\n  thresholds: {min_score: 60}\n",
    });
    expect(result.ok && result.loaded.value).toEqual({
      scope: "enterprise",
      plugins: { quality: { provider: "floe_sql" } },
      quality: { thresholds: { min_score: 60 } },
    });
  });

  it("keeps layer values as written: no defaults before the merge", () => {
    const result = parseDomainManifest({ file: "d.yaml", text: "scope: domain\nquality: {}\n" });
    expect(result.ok && result.loaded.value).toEqual({ scope: "domain", quality: {} });
  });

  it("reads JSON as well as YAML", () => {
    const result = parseEnterpriseManifest({
      file: "manifest.json",
      text: '{"scope": "enterprise", "quality": {"enabled": false}}',
    });
    expect(result.ok && result.loaded.value).toEqual({
      scope: "enterprise",
      quality: { enabled: false },
    });
  });

  it("malformed YAML: FLOE-DQ100 with the line and column", () => {
    const [d, ...rest] = failures(
      parseEnterpriseManifest({
        file: "manifest.yaml",
        text: "scope: enterprise\nquality:\n  thresholds: {min_score: 60\n  enabled: true\n",
      }),
    );
    expect(d!.code).toBe("FLOE-DQ100");
    expect(d!.file).toMatch(/^manifest\.yaml:\d+:\d+$/);
    expect(d!.message).toMatch(/^not valid YAML\/JSON: /);
    expect(rest.every((x) => x.code === "FLOE-DQ100")).toBe(true);
  });

  it("malformed JSON: FLOE-DQ100 at the line of the error", () => {
    const [d] = failures(
      parseEnterpriseManifest({
        file: "m.json",
        text: '{\n  "scope": "enterprise",\n  "quality": {,}\n}',
      }),
    );
    expect(d!.code).toBe("FLOE-DQ100");
    expect(d!.file).toBe("m.json:3:15");
  });

  it("a key written twice is FLOE-DQ100 at its second occurrence", () => {
    const [d] = failures(
      parseEnterpriseManifest({
        file: "manifest.yaml",
        text: "scope: enterprise\nquality:\n  enabled: true\n  enabled: false\n",
      }),
    );
    expect(d).toMatchObject({ code: "FLOE-DQ100", file: "manifest.yaml:4:3" });
    expect(d!.message).toMatch(/^not valid YAML\/JSON: Map keys must be unique/);
  });

  it("an empty file is FLOE-DQ100 'the file is empty'", () => {
    for (const text of ["", "\n\n", "# only a comment\n"]) {
      expect(failures(parseProduct({ file: "floe.yaml", text }))).toEqual([
        expect.objectContaining({
          code: "FLOE-DQ100",
          file: "floe.yaml",
          message: "the file is empty",
        }),
      ]);
    }
  });

  it("unknown key: FLOE-DQ100 naming the key's position, path and a did-you-mean", () => {
    const diagnostics = failures(
      parseEnterpriseManifest({
        file: "manifest.yaml",
        text: "scope: enterprise\nquality:\n  thresholds:\n    min_score: 60\n    warn_scor: 80\n",
      }),
    );
    expect(diagnostics).toEqual([
      {
        code: "FLOE-DQ100",
        level: "error",
        message: "unknown key 'warn_scor' (did you mean 'warn_score'?)",
        file: "manifest.yaml:5:5",
        path: "quality.thresholds.warn_scor",
        fix: "Rename 'warn_scor' to 'warn_score', or remove it.",
      },
    ]);
  });

  it("unknown key inside a check lists what is allowed when nothing is close", () => {
    const [d] = failures(
      parseProduct({
        file: "floe.yaml",
        text: product(
          "  - name: m\n    quality_checks:\n      - {name: a, type: unique, column: c, zzz: 1}\n",
        ),
      }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      path: "models[0].quality_checks[0].zzz",
      message: "unknown key 'zzz'",
      fix: "Remove 'zzz'; allowed here: name, type, column, dimension, severity, custom_weight, parameters, enabled.",
    });
  });

  it("wrong type: FLOE-DQ100 saying what was expected and what was found", () => {
    const [d] = failures(
      parseEnterpriseManifest({
        file: "manifest.yaml",
        text: "scope: enterprise\nquality:\n  thresholds: {min_score: high}\n",
      }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      file: "manifest.yaml:3:27",
      path: "quality.thresholds.min_score",
      message: "expected a number, got 'high'",
      fix: "Give 'min_score' a number.",
    });
  });

  it("negative weight: FLOE-DQ100 at the weight", () => {
    const diagnostics = failures(
      parseEnterpriseManifest({
        file: "manifest.yaml",
        text: "scope: enterprise\nquality:\n  dimension_weights:\n    accuracy: -0.25\n",
      }),
    );
    expect(diagnostics.map((d) => [d.code, d.file, d.path, d.message])).toEqual([
      [
        "FLOE-DQ100",
        "manifest.yaml:4:15",
        "quality.dimension_weights.accuracy",
        "must be at least 0, got -0.25",
      ],
    ]);
  });

  it("weights written in full must sum to 1: the message names the sum", () => {
    const [d] = failures(
      parseEnterpriseManifest({
        file: "manifest.yaml",
        text:
          "scope: enterprise\nquality:\n  dimension_weights: {completeness: 0.25, accuracy: 0.25," +
          " validity: 0.2, consistency: 0.15, timeliness: 0.05}\n",
      }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      file: "manifest.yaml:3:22",
      path: "quality.dimension_weights",
      message: "dimension weights sum to 0.9, not 1",
    });
  });

  it("wrong scope: an enterprise manifest must say scope: enterprise", () => {
    const [d] = failures(parseEnterpriseManifest({ file: "m.yaml", text: "scope: domain\n" }));
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      path: "scope",
      message: `expected "enterprise", got 'domain'`,
    });
  });

  it("missing required key: names the key", () => {
    const [d] = failures(
      parseProduct({ file: "floe.yaml", text: "compute: {dialect: duckdb, path: x}\n" }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      file: "floe.yaml:1:1",
      path: "name",
      message: "missing required setting (a string)",
      fix: "Add 'name'.",
    });
  });

  it("unknown check type: FLOE-DQ101 with did-you-mean", () => {
    const [d] = failures(
      parseProduct({
        file: "floe.yaml",
        text: product(
          "  - name: m\n    quality_checks:\n      - {name: a, type: not_nul, column: c}\n",
        ),
      }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ101",
      file: "floe.yaml:6:25",
      path: "models[0].quality_checks[0].type",
      message: "unknown check type 'not_nul' (did you mean 'not_null'?)",
    });
  });

  it("bad parameters: FLOE-DQ101 at the parameter", () => {
    const diagnostics = failures(
      parseProduct({
        file: "floe.yaml",
        text: product(
          "  - name: m\n    quality_checks:\n" +
            "      - {name: a, type: accepted_values, column: c, parameters: {valuez: [1]}}\n" +
            "      - {name: b, type: recency, column: c, parameters: {max_age: 1 day}}\n",
        ),
      }),
    );
    expect(diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([
      [
        "FLOE-DQ101",
        "models[0].quality_checks[0].parameters.values",
        "bad parameter for check type accepted_values: missing required setting (a list)",
      ],
      [
        "FLOE-DQ101",
        "models[0].quality_checks[0].parameters.valuez",
        "unknown parameter 'valuez' for check type accepted_values (did you mean 'values'?)",
      ],
      [
        "FLOE-DQ101",
        "models[0].quality_checks[1].parameters.max_age",
        "bad parameter for check type recency: an ISO-8601 duration such as P1D, PT6H or P1M",
      ],
    ]);
  });

  it("a column check without a column and a table check with one: FLOE-DQ101", () => {
    const diagnostics = failures(
      parseProduct({
        file: "floe.yaml",
        text: product(
          "  - name: m\n    quality_checks:\n" +
            "      - {name: a, type: unique}\n" +
            "      - {name: b, type: compound_unique, column: c, parameters: {columns: [x, y]}}\n",
        ),
      }),
    );
    expect(diagnostics.map((d) => [d.code, d.path, d.message])).toEqual([
      ["FLOE-DQ101", "models[0].quality_checks[0].column", "check type unique needs a column"],
      [
        "FLOE-DQ101",
        "models[0].quality_checks[1].column",
        "check type compound_unique is table-level: its columns go in parameters (columns)",
      ],
    ]);
  });

  it("duplicate check names within a model: FLOE-DQ101, reported with the other errors", () => {
    const diagnostics = failures(
      parseProduct({
        file: "floe.yaml",
        text: product(
          "  - name: m\n    quality_checks:\n" +
            "      - {name: id_ok, type: not_null, column: id}\n" +
            "      - {name: id_ok, type: uniq, column: id}\n",
        ),
      }),
    );
    expect(diagnostics.map((d) => [d.code, d.file, d.path])).toEqual([
      ["FLOE-DQ101", "floe.yaml:7:16", "models[0].quality_checks[1].name"],
      ["FLOE-DQ101", "floe.yaml:7:29", "models[0].quality_checks[1].type"],
    ]);
    expect(diagnostics[0]!.message).toBe(
      "duplicate check name 'id_ok' (also check #1 of this model)",
    );
  });

  it("the same check name in two models is fine", () => {
    const result = parseProduct({
      file: "floe.yaml",
      text: product(
        "  - {name: a, quality_checks: [{name: pk, type: unique, column: id}]}\n" +
          "  - {name: b, quality_checks: [{name: pk, type: unique, column: id}]}\n",
      ),
    });
    expect(result.ok).toBe(true);
  });

  it("compute values may be ${env:NAME} references, kept as written", () => {
    const result = parseProduct({
      file: "floe.yaml",
      text:
        "name: shop\ncompute: {dialect: postgres, host: '${env:PGHOST}', port: 5432, database: shop," +
        " user: etl, password: '${env:PGPASSWORD}'}\n",
    });
    expect(result.ok && result.loaded.value.compute).toEqual({
      dialect: "postgres",
      host: "${env:PGHOST}",
      port: 5432,
      database: "shop",
      user: "etl",
      password: "${env:PGPASSWORD}",
    });
  });

  it("a literal password is rejected: it would land in the artifacts", () => {
    const [d] = failures(
      parseProduct({
        file: "floe.yaml",
        text: "name: shop\ncompute: {dialect: postgres, host: h, database: d, user: u, password: hunter2}\n",
      }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      path: "compute.password",
      message: "expected a reference such as ${env:PGPASSWORD}",
    });
    expect(JSON.stringify(d)).not.toContain("hunter2");
  });

  it("compute.dialect spark: a Spark Connect endpoint with its token as a reference only", () => {
    const result = parseProduct({
      file: "floe.yaml",
      text:
        "name: shop\ncompute: {dialect: spark, host: '${env:SPARK_HOST}', port: 15002," +
        " token: '${env:SPARK_TOKEN}', schema: sales}\n",
    });
    expect(result.ok && result.loaded.value.compute).toEqual({
      dialect: "spark",
      host: "${env:SPARK_HOST}",
      port: 15002,
      token: "${env:SPARK_TOKEN}",
      schema: "sales",
    });
    const [d] = failures(
      parseProduct({
        file: "floe.yaml",
        text: "name: shop\ncompute: {dialect: spark, host: h, token: dapi-123}\n",
      }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      path: "compute.token",
      message: "expected a reference such as ${env:PGPASSWORD}",
    });
    expect(JSON.stringify(d)).not.toContain("dapi-123");
  });

  it("unknown lock path in overrides: FLOE-DQ100 with did-you-mean", () => {
    const [d] = failures(
      parseEnterpriseManifest({
        file: "m.yaml",
        text: "scope: enterprise\nquality:\n  overrides:\n    thresholds.min_scor: {overridable: false}\n",
      }),
    );
    expect(d).toMatchObject({
      code: "FLOE-DQ100",
      file: "m.yaml:4:26",
      path: "quality.overrides.thresholds.min_scor",
      message:
        "unknown setting 'thresholds.min_scor' in overrides (did you mean 'thresholds.min_score'?)",
    });
  });

  it("parseConfigText collects every problem of a file, in the order of the file", () => {
    const diagnostics = failures(
      parseConfigText(
        {
          file: "m.yaml",
          text: "scope: enterprise\nnam: x\nquality:\n  enabled: 1\n  check_timeout_seconds: -5\n",
        },
        EnterpriseManifestSchema,
      ),
    );
    expect(diagnostics.map((d) => d.path)).toEqual([
      "nam",
      "quality.enabled",
      "quality.check_timeout_seconds",
    ]);
  });
});

describe("docs/configuration.md", () => {
  it("lists every check type of the vocabulary with its default dimension", () => {
    const doc = readFileSync(resolve(import.meta.dirname, "../../docs/configuration.md"), "utf8");
    for (const spec of CHECK_TYPES) {
      expect(doc).toMatch(
        new RegExp(`^\\| ${spec.type} +\\|[^\\n]*\\| ${spec.dimension} +\\|`, "m"),
      );
    }
  });
});
