// The compile and demo commands as a user runs them: the built CLI in a child
// process (the test command builds with `tsc -b` before vitest runs).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "host/dist/cli/main.js");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function floeQuality(args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` first`);
  dir = await mkdtemp(join(tmpdir(), "floe-cli-compile-"));
  await cp(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of an example file with one edit, returned as a path relative to `dir`. */
async function variant(path: string, from: string, to: string): Promise<string> {
  const text = await readFile(join(dir, "examples", path), "utf8");
  expect(text.split(from)).toHaveLength(2);
  const name = `variant-${Math.abs(hash(from + to))}-${path.replaceAll("/", "_")}`;
  await writeFile(join(dir, name), text.replace(from, to));
  return name;
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

const ENTERPRISE = "examples/manifest.yaml";
const DOMAIN = "examples/domains/sales/manifest.yaml";
const PRODUCT = "examples/products/shop/floe.yaml";

function compile(
  files: { enterprise?: string; domain?: string; product?: string } = {},
  extra: string[] = [],
  out = "out/compiled_artifacts.json",
) {
  return floeQuality(
    [
      "compile",
      "--enterprise",
      files.enterprise ?? ENTERPRISE,
      "--domain",
      files.domain ?? DOMAIN,
      "--product",
      files.product ?? PRODUCT,
      "--out",
      out,
      ...extra,
    ],
    dir,
  );
}

function expectNoStackTrace(run: Run): void {
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe("floe-quality compile", () => {
  it("compiles the example: exit 0, artifacts 0.4.0 and a summary", async () => {
    const run = await compile();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(
      "compiled shop → out/compiled_artifacts.json (artifacts 0.4.0, provider floe_sql, thresholds min 60 / warn 85)",
    );
    expect(run.stdout).toMatch(/^customers\s+gold\s+customers\s+13\/13\s+100% \(≥100%\)\s+pass$/m);
    const artifacts = JSON.parse(await readFile(join(dir, "out/compiled_artifacts.json"), "utf8"));
    expect(artifacts.version).toBe("0.4.0");
    expect(artifacts.models.map((m: { name: string }) => m.name)).toEqual([
      "customers",
      "orders",
      "order_events",
    ]);
  });

  it("--json prints one document with the gate results", async () => {
    const run = await compile({}, ["--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      success: true,
      errors: [],
      warnings: [],
      artifacts: "out/compiled_artifacts.json",
    });
    expect(report.gates.map((g: { passed: boolean }) => g.passed)).toEqual([true, true, true]);
  });

  it("weights summing to 0.9: exit 1, FLOE-DQ100 at the file's line", async () => {
    const enterprise = await variant("manifest.yaml", "timeliness: 0.15", "timeliness: 0.05");
    const run = await compile({ enterprise });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error FLOE-DQ100 ${enterprise}:10:5 quality.dimension_weights: dimension weights sum to 0.9, not 1\n` +
        "  fix: Make completeness, accuracy, validity, consistency and timeliness sum to 1.\n" +
        "compile failed: 1 error, 0 warnings\n",
    );
    expectNoStackTrace(run);
  });

  it("locked override: exit 1, FLOE-DQ107 with the path and both files", async () => {
    const product = await variant(
      "products/shop/floe.yaml",
      "quality:\n  check_timeout_seconds: 120\n",
      "quality:\n  check_timeout_seconds: 120\n  dimension_weights:\n    accuracy: 0.3\n",
    );
    const run = await compile({ product });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error FLOE-DQ107 ${product}:9:15 quality.dimension_weights.accuracy: quality.dimension_weights.accuracy is locked by the enterprise layer (${ENTERPRISE}: quality.overrides.dimension_weights)`,
    );
    expectNoStackTrace(run);
  });

  it("unknown provider: exit 1, FLOE-DQ001 listing the known providers", async () => {
    const enterprise = await variant("manifest.yaml", "provider: floe_sql", "provider: soda");
    const run = await compile({ enterprise });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error FLOE-DQ001 variant-.*:7:15 plugins\.quality\.provider: unknown quality provider 'soda'; known providers: .*floe_sql/m,
    );
    expectNoStackTrace(run);
  });

  it("a column typo: FLOE-DQ105 at the check, exit 1, no artifacts written", async () => {
    const product = await variant(
      "products/shop/floe.yaml",
      "{ name: customer_id_unique, type: unique, column: customer_id, severity: critical }",
      "{ name: customer_id_unique, type: unique, column: customerid, severity: critical }",
    );
    const run = await compile({ product }, [], "out/never.json");
    expect(run.code).toBe(1);
    const codes = [...run.stderr.matchAll(/^error (FLOE-DQ\d+) \S+ (\S+):/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(codes).toEqual([["FLOE-DQ105", "models[0].quality_checks[1].column"]]);
    expect(run.stderr).toContain("compile failed: 1 error, 0 warnings");
    expect(existsSync(join(dir, "out", "never.json"))).toBe(false);
  });

  it("gold model missing a required unique: exit 1, FLOE-DQ104", async () => {
    const product = await variant(
      "products/shop/floe.yaml",
      "type: unique, column: customer_id, severity: critical }",
      "type: between, column: customer_id, severity: critical, parameters: { min_value: 1 } }",
    );
    const text = await readFile(join(dir, product), "utf8");
    await writeFile(
      join(dir, product),
      text.replace("{ name: email_unique, type: unique,", "{ name: email_unique, type: not_null,"),
    );
    const run = await compile({ product });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error FLOE-DQ104 \S+:\d+:\d+ models\[0\]\.quality_checks: model customers: the gold gate requires check types missing here: unique$/m,
    );
  });

  it("coverage below the gate: exit 1, FLOE-DQ103", async () => {
    const product = await variant(
      "products/shop/floe.yaml",
      "      - name: currency_known\n",
      "      - name: currency_known\n        enabled: false\n",
    );
    const text = await readFile(join(dir, product), "utf8");
    await writeFile(
      join(dir, product),
      text.replace(
        "      - name: status_known\n",
        "      - name: status_known\n        enabled: false\n",
      ),
    );
    const run = await compile({ product });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error FLOE-DQ103 \S+:\d+:\d+ models\[1\]\.quality_checks: model orders: test coverage 71\.43% is below the silver gate's 85%$/m,
    );
  });

  it("malformed YAML: exit 1, FLOE-DQ100 with the line number", async () => {
    const domain = await variant(
      "domains/sales/manifest.yaml",
      "warn_score: 85",
      "warn_score: [85",
    );
    const run = await compile({ domain });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^error FLOE-DQ100 ${domain}:8:\\d+: not valid YAML/JSON: `, "m"),
    );
    expectNoStackTrace(run);
  });

  it("unknown key: exit 1 with did-you-mean", async () => {
    const domain = await variant("domains/sales/manifest.yaml", "warn_score: 85", "warn_scre: 85");
    const run = await compile({ domain });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error FLOE-DQ100 ${domain}:7:5 quality.thresholds.warn_scre: unknown key 'warn_scre' (did you mean 'warn_score'?)`,
    );
  });

  it("empty file and missing file: exit 1, FLOE-DQ100 each", async () => {
    await writeFile(join(dir, "empty.yaml"), "");
    const run = await compile({ domain: "empty.yaml", product: "missing/floe.yaml" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error FLOE-DQ100 missing\/floe\.yaml: no such file: /m);
    expectNoStackTrace(run);
    const empty = await compile({ domain: "empty.yaml" });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("error FLOE-DQ100 empty.yaml: the file is empty");
  });

  it("--json on failure prints the diagnostics as data", async () => {
    const product = await variant(
      "products/shop/floe.yaml",
      "{ name: event_id_present, type: not_null, column: event_id }",
      "{ name: event_id_present, type: not_nul, column: event_id }",
    );
    const run = await compile({ product }, ["--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.success).toBe(false);
    expect(report.diagnostics.map((d: { code: string; path: string }) => [d.code, d.path])).toEqual(
      [["FLOE-DQ101", "models[2].quality_checks[0].type"]],
    );
  });

  it("usage errors exit 2", async () => {
    const missing = await floeQuality(["compile", "--enterprise", ENTERPRISE], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe("floe-quality compile: missing --product, --out");
    const unknown = await floeQuality(["compile", "--enterprize", ENTERPRISE], dir);
    expect(unknown.code).toBe(2);
    expectNoStackTrace(unknown);
  });

  it("an --out that cannot be written is a usage error (exit 2), not a stack trace", async () => {
    await writeFile(join(dir, "a-file"), "");
    const run = await compile({}, [], "a-file/compiled_artifacts.json");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^floe-quality compile: cannot write a-file\/compiled_artifacts\.json: /,
    );
    expectNoStackTrace(run);
  });
});

describe("floe-quality demo", () => {
  it("compiles the bundled example into .floe/demo/compiled_artifacts.json", async () => {
    const run = await floeQuality(["demo"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("compiled shop → .floe/demo/compiled_artifacts.json");
    expect(run.stdout).toMatch(
      /^orders \(silver: coverage ≥ 85%, min score 75, requires not_null, unique\)$/m,
    );
    const artifacts = JSON.parse(
      await readFile(join(dir, ".floe/demo/compiled_artifacts.json"), "utf8"),
    );
    expect(artifacts.version).toBe("0.4.0");
  });
});
