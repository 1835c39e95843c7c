// What failed, visible — and sensitive values nowhere: a canary e-mail address
// in a column listed in `sensitive_columns` fails checks that sample it, and
// must appear in no output (text, JSON, JUnit, lineage, gRPC progress and
// outcome), replaced by a stable keyed hash. `store_samples: false` keeps
// samples on the terminal only.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { floeQuality, orchestrate, ROOT, type ServeProcess, startServe } from "./support.js";

vi.setConfig({ testTimeout: 90_000 });

const CANARY = "canary-7f3a9c@secret.example";
let dir: string;

const product = (extra: string) => `name: crm
compute: {dialect: duckdb, path: crm.duckdb}
quality:
  sample_size: 3
  sensitive_columns: [email]
${extra}
models:
  - name: people
    columns: [id, email, plan]
    quality_checks:
      - {name: email_unique, type: unique, column: email}
      - {name: email_format, type: regex, column: email, parameters: {regex: "^[a-z]+@[a-z]+\\\\.com$"}}
      - {name: email_plan_unique, type: compound_unique, parameters: {columns: [email, plan]}}
      - {name: plan_known, type: accepted_values, column: plan, parameters: {values: [free, pro]}}
`;

async function compile(name: string, extra: string): Promise<string> {
  await writeFile(join(dir, `${name}.yaml`), product(extra));
  const out = join(dir, `${name}.json`);
  const run = await floeQuality(
    [
      "compile",
      "--enterprise",
      join(ROOT, "examples/manifest.yaml"),
      "--product",
      `${name}.yaml`,
      "--out",
      out,
    ],
    { cwd: dir },
  );
  if (run.code !== 0) throw new Error(run.stderr);
  return out;
}

let artifacts: string;
let unstored: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-samples-"));
  const instance = await DuckDBInstance.create(join(dir, "crm.duckdb"));
  const connection = await instance.connect();
  await connection.run("CREATE TABLE people (id INTEGER, email VARCHAR, plan VARCHAR)");
  await connection.run(
    `INSERT INTO people VALUES (1, 'ann@mail.com', 'free'), (2, '${CANARY}', 'pro'), (3, '${CANARY}', 'pro'), (4, 'bob@mail.com', 'gold')`,
  );
  connection.closeSync();
  instance.closeSync();
  artifacts = await compile("crm", "");
  unstored = await compile("crm-unstored", "  store_samples: false");
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = { FLOE_LINEAGE_TRANSPORT: "file", FLOE_STATE_DIR: join(tmpdir(), "unused") };

// biome-ignore lint/suspicious/noExplicitAny: JSON documents as printed
type Json = any;

describe("a sensitive column", () => {
  it("never shows its values: text, JSON, JUnit and lineage carry a stable hash instead", async () => {
    const lineage = join(dir, "lineage.jsonl");
    const junit = join(dir, "junit.xml");
    const runEnv = { ...env, FLOE_LINEAGE_FILE: lineage };
    const text = await floeQuality(["run", "--artifacts", artifacts, "--model", "people"], {
      cwd: dir,
      env: runEnv,
    });
    const json = await floeQuality(
      ["run", "--artifacts", artifacts, "--model", "people", "--json", "--junit", junit],
      { cwd: dir, env: runEnv },
    );
    const report = JSON.parse(json.stdout);
    const checks = Object.fromEntries(
      report.suite_result.checks.map((c: Json) => [c.check_name, c]),
    );
    const masked = checks.email_unique.details.failing_samples;
    expect(masked).toHaveLength(1);
    expect(masked[0]).toMatch(/^masked:[0-9a-f]{16}$/);
    // Stable: the same value hashes the same in another check and in another run.
    expect(checks.email_plan_unique.details.failing_samples).toEqual([
      { email: masked[0], plan: "pro" },
    ]);
    expect(checks.email_format.details.failing_samples).toContain(masked[0]);
    // A column that is not sensitive keeps its values.
    expect(checks.plan_known.details.failing_samples).toEqual(["gold"]);
    expect(text.stdout).toContain(`samples of email_unique: "${masked[0]}"`);
    for (const output of [
      text.stdout,
      text.stderr,
      json.stdout,
      json.stderr,
      await readFile(junit, "utf8"),
      await readFile(lineage, "utf8"),
    ]) {
      expect(output).not.toContain("canary");
    }
  });

  it("never reaches an orchestrator over gRPC: progress and outcome hashed", async () => {
    let serve: ServeProcess | undefined;
    try {
      serve = await startServe(["--listen", "127.0.0.1:0"], {
        cwd: dir,
        env: { ...env, FLOE_LINEAGE_FILE: join(dir, "serve-lineage.jsonl") },
      });
      const [result] = await orchestrate(serve.address, [
        { method: "run", model: "people", artifactsPath: artifacts, raw: true },
      ]);
      const wire = JSON.stringify(result.raw);
      expect(result.raw).toHaveLength(5);
      expect(wire).toMatch(/masked:[0-9a-f]{16}/);
      expect(wire).not.toContain("canary");
      expect(await readFile(join(dir, "serve-lineage.jsonl"), "utf8")).not.toContain("canary");
    } finally {
      await serve?.stop();
    }
  });

  it("store_samples: false keeps samples on the terminal only", async () => {
    const junit = join(dir, "unstored.xml");
    const text = await floeQuality(["run", "--artifacts", unstored, "--model", "people"], {
      cwd: dir,
      env,
    });
    const json = await floeQuality(
      ["run", "--artifacts", unstored, "--model", "people", "--json", "--junit", junit],
      { cwd: dir, env },
    );
    expect(text.stdout).toContain('samples of plan_known: "gold"');
    expect(json.stdout).not.toContain("failing_samples");
    expect(json.stdout).not.toContain("gold");
    expect(await readFile(junit, "utf8")).not.toContain("samples:");
  });
});
