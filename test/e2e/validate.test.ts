// The pre-flight check: `floe-quality validate` asks floe_sql's ValidateSuite,
// against the live warehouse, about a floe.yaml that lists no columns (so
// compile alone cannot tell) — a misspelled column, a relationships target that
// does not exist and a filter that does not parse are reported at file:line,
// as is a check over a column of the wrong type (a mean of text), on DuckDB
// and on PostgreSQL, and no check is run (no lineage, no results).
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { usePostgres } from "../support/postgres.js";
import { createDemoDatabase, floeQuality, ROOT } from "./support.js";

vi.setConfig({ testTimeout: 90_000 });

const postgres = usePostgres();
let dir: string;

const product = (compute: string, checks: string) => `name: shop
compute: ${compute}
models:
  - name: orders
    relation: main.orders
    quality_checks:
${checks}`;

const BROKEN = `      - {name: amount_present, type: not_null, column: amountt}
      - name: customer_exists
        type: relationships
        column: customer_id
        parameters: {to: customerz, field: customer_id}
      - name: shipped_amount
        type: between
        column: amount
        parameters: {min_value: 0, row_condition: "statuss = 'shipped'"}
      - {name: status_mean, type: mean_between, column: status, parameters: {min_value: 0}}
`;

const FINE = `      - {name: amount_present, type: not_null, column: amount}
      - name: customer_exists
        type: relationships
        column: customer_id
        parameters: {to: customers, field: customer_id}
      - name: shipped_amount
        type: between
        column: amount
        parameters: {min_value: 0, row_condition: "status = 'shipped'"}
      - {name: currency_known, type: accepted_values, column: currency, parameters: {values: [USD]}}
`;

let duckdb: string;
let postgresCompute: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-validate-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  duckdb = "{dialect: duckdb, path: warehouse.duckdb}";
  const server = postgres();
  await createDemoDatabase(server, "shop");
  postgresCompute = `{dialect: postgres, host: "${server.host}", port: ${server.port}, database: shop, user: ${server.user}}`;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function validate(name: string, text: string) {
  await writeFile(join(dir, name), text);
  return floeQuality(
    ["validate", "--enterprise", join(ROOT, "examples/manifest.yaml"), "--product", name],
    { cwd: dir, env: { FLOE_LINEAGE_TRANSPORT: "file", FLOE_STATE_DIR: join(dir, "state") } },
  );
}

/** Code, file:line:col, path and message of every error, in order. */
function errors(stderr: string): string[][] {
  return [...stderr.matchAll(/^error (FLOE-DQ\d+) (\S+) (\S+): (.*)$/gm)].map((m) => [
    m[1]!,
    m[2]!,
    m[3]!,
    m[4]!,
  ]);
}

describe.each([
  [
    "DuckDB",
    () => duckdb,
    "Catalog Error: Table with name customerz does not exist!",
    'Binder Error: Referenced column "statuss" not found in FROM clause!',
    'Referenced column "statuss" not found',
    "Binder Error: No function matches the given name and argument types 'avg(VARCHAR)'. You might need to add explicit type casts.",
  ],
  [
    "PostgreSQL",
    () => postgresCompute,
    'relation "customerz" does not exist',
    'column "statuss" does not exist',
    'column "statuss" does not exist',
    "function avg(character varying) does not exist",
  ],
])("validate on %s", (_, compute, missingRelation, badPrefix, badColumn, badType) => {
  it("finds a misspelled column, a bad relationships target, a bad filter and a column of the wrong type, at file:line", async () => {
    const file = `broken-${_}.yaml`;
    const run = await validate(file, product(compute(), BROKEN));
    expect(run.code).toBe(1);
    expect(errors(run.stderr)).toEqual([
      [
        "FLOE-DQ105",
        `${file}:7:9`,
        "models[0].quality_checks[0]",
        'model orders: column "amountt" does not exist in main.orders (check amount_present)',
      ],
      [
        "FLOE-DQ100",
        `${file}:11:26`,
        "models[0].quality_checks[1].parameters.to",
        `model orders: relation customerz cannot be read: ${missingRelation}`,
      ],
      [
        "FLOE-DQ101",
        `${file}:15:51`,
        "models[0].quality_checks[2].parameters.row_condition",
        `model orders: row_condition of check shipped_amount does not run on main.orders: ${badPrefix}`,
      ],
      [
        "FLOE-DQ101",
        `${file}:16:9`,
        "models[0].quality_checks[3]",
        `model orders: check status_mean (mean_between) does not run on main.orders: ${badType}`,
      ],
    ]);
    expect(run.stderr).toContain(missingRelation);
    expect(run.stderr).toContain(badColumn);
    expect(run.stdout).toBe("");
  });

  it("passes a correct suite without running a check, even on data that would fail it", async () => {
    const run = await validate(`fine-${_}.yaml`, product(compute(), FINE));
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.stdout).toBe("valid: 1 model(s) checked against the warehouse\n");
    expect(run.code).toBe(0);
    // No run happened: no lineage was written.
    expect(await readdir(join(dir, "state")).catch(() => [])).toEqual([]);
  });
});
