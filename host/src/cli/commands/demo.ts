// floe-quality demo: the main job on the embedded default. Compiles the bundled
// example (enterprise + sales domain + shop product), creates a DuckDB warehouse
// with planted defects for its three models, runs every model's checks with
// floe_sql through the real plugin process, and prints results, scores and
// verdicts. Failing verdicts are the point of the demo, so it exits 0.
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { assertDuckdbFileReadable, quoteIdentifier, quoteRelation } from "@floe/quality-sdk";
import type { CompiledArtifacts } from "../../compile/artifacts.js";
import { formatPercent } from "../../gates/evaluate.js";
import { openHostServices, runModelQuality } from "../../runtime/index.js";
import { parseOptions, UsageError } from "../output.js";
import { renderRunOutcome } from "../render.js";
import { compileFiles, printDiagnostics, renderSummary, writeArtifactsTo } from "./compile.js";

const USAGE = `usage: floe-quality demo [--examples DIR] [--out FILE]

  --examples  the example project (default: the bundled examples/)
  --out       artifacts file (default: .floe/demo/compiled_artifacts.json)

Creates the demo's own DuckDB file (.floe/demo/warehouse.duckdb) with planted
defects and checks every model against it, whatever file the example's floe.yaml
names: no file of yours is ever replaced. Exits 0: failing verdicts are expected.
FLOE_LINEAGE_TRANSPORT=file writes the lineage events to .floe/demo/lineage.jsonl
(or FLOE_LINEAGE_FILE).`;

/** The demo's warehouse, relative to the working directory: the only file the demo replaces. */
export const DEMO_WAREHOUSE = join(".floe", "demo", "warehouse.duckdb");

/**
 * The example project: inside the installed package (npm pack copies examples/
 * into it), else the repository's examples/ seen from host/dist/cli/commands.
 */
function bundledExamples(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const packed = resolve(here, "../../../examples");
  return existsSync(packed) ? packed : resolve(here, "../../../../examples");
}

type Cell = string | number | null;

/** A table of the demo warehouse: SQL column types valid on DuckDB and PostgreSQL. */
export interface DemoTable {
  schema: string | undefined;
  name: string;
  columns: ReadonlyArray<readonly [name: string, type: string]>;
  rows: Cell[][];
}

const DAY_MS = 86_400_000;

/** `now` minus some days and hours, as a timestamp literal (UTC). */
function ago(now: Date, days: number, hours = 0): string {
  return new Date(now.getTime() - days * DAY_MS - hours * 3_600_000)
    .toISOString()
    .replace("T", " ")
    .slice(0, 19);
}

/**
 * The shop's three models with planted defects. customers: a duplicate and a
 * malformed email, an unknown country, a referrer that does not exist, a negative
 * lifetime value. orders: an unknown currency and an order of a customer that
 * does not exist. order_events: clean except one unknown event type,
 * within its `mostly` tolerance. Order times are relative to `now`, so the
 * recency check passes on any day.
 */
export function demoTables(now: Date = new Date()): DemoTable[] {
  return [
    {
      schema: undefined,
      name: "customers",
      columns: [
        ["customer_id", "INTEGER"],
        ["email", "VARCHAR(200)"],
        ["full_name", "VARCHAR(200)"],
        ["country_code", "VARCHAR(2)"],
        ["segment", "VARCHAR(20)"],
        ["referred_by", "INTEGER"],
        ["signup_date", "DATE"],
        ["lifetime_value", "DOUBLE PRECISION"],
      ],
      rows: [
        [1, "ada@example.com", "Ada Lovelace", "GB", "consumer", null, "2024-01-05", 120.5],
        [2, "alan@example.com", "Alan Turing", "GB", "business", 1, "2024-02-11", 980],
        [3, "grace@example.com", "Grace Hopper", "US", "enterprise", null, "2024-03-02", 4200],
        [4, "edsger@example.com", "Edsger Dijkstra", "NL", "consumer", 3, "2024-03-20", 64],
        [5, "barbara@example.com", "Barbara Liskov", "US", "business", null, "2024-04-14", 310],
        [6, "ken@example.com", "Ken Thompson", "US", "consumer", 2, "2024-05-01", 45.25],
        [7, "margaret@example", "Margaret Hamilton", "US", "enterprise", null, "2024-05-19", 2100],
        [8, "ada@example.com", "Ada King", "GB", "consumer", 1, "2024-06-07", 18],
        [9, "linus@example.com", "Linus Torvalds", "FI", "consumer", 42, "2024-06-30", 75],
        [10, "radia@example.com", "Radia Perlman", "US", "business", null, "2024-07-12", -15],
      ],
    },
    {
      schema: "main",
      name: "orders",
      columns: [
        ["order_id", "INTEGER"],
        ["customer_id", "INTEGER"],
        ["status", "VARCHAR(20)"],
        ["amount", "DOUBLE PRECISION"],
        ["currency", "VARCHAR(3)"],
        ["ordered_at", "TIMESTAMP"],
        ["shipped_at", "TIMESTAMP"],
      ],
      rows: [
        [101, 1, "delivered", 25, "USD", ago(now, 6), ago(now, 5)],
        [102, 2, "shipped", 140, "EUR", ago(now, 5), ago(now, 4)],
        [103, 3, "delivered", 99.9, "USD", ago(now, 5, 3), ago(now, 3)],
        [104, 3, "placed", 12.5, "GBP", ago(now, 4), null],
        [105, 4, "cancelled", 8, "EUR", ago(now, 4, 2), null],
        [106, 5, "delivered", 310, "USD", ago(now, 3), ago(now, 2)],
        [107, 6, "returned", 45, "USD", ago(now, 3, 5), ago(now, 2, 5)],
        [108, 99, "placed", 60, "USD", ago(now, 2), null],
        [109, 7, "shipped", 75, "JPY", ago(now, 2, 4), ago(now, 1)],
        [110, 8, "delivered", 18, "GBP", ago(now, 1), ago(now, 0, 6)],
        [111, 9, "placed", 33, "EUR", ago(now, 0, 20), null],
        [112, 10, "shipped", 220, "USD", ago(now, 0, 10), ago(now, 0, 2)],
      ],
    },
    {
      schema: undefined,
      name: "order_events",
      columns: [
        ["event_id", "INTEGER"],
        ["order_id", "INTEGER"],
        ["event_type", "VARCHAR(20)"],
        ["occurred_at", "TIMESTAMP"],
        ["payload", "VARCHAR(200)"],
      ],
      rows: Array.from({ length: 20 }, (_, i): Cell[] => {
        const types = ["created", "paid", "shipped", "delivered"];
        const type = i === 13 ? "refunded" : types[i % 4]!;
        return [1000 + i, 101 + Math.floor(i / 4), type, ago(now, 6 - i / 4), `{"seq":${i}}`];
      }),
    },
  ];
}

export interface Statement {
  sql: string;
  params: Cell[];
}

/** CREATE and INSERT statements (values bound as $n parameters) for DuckDB or PostgreSQL. */
export function demoWarehouseStatements(
  dialect: "duckdb" | "postgres",
  now: Date = new Date(),
  tables: readonly DemoTable[] = demoTables(now),
): Statement[] {
  const out: Statement[] = [];
  for (const table of tables) {
    const relation = quoteRelation(
      { database: undefined, schema: table.schema, identifier: table.name },
      dialect,
    );
    if (table.schema !== undefined && dialect === "postgres") {
      out.push({
        sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema, dialect)}`,
        params: [],
      });
    }
    out.push({
      sql: `CREATE TABLE ${relation} (${table.columns.map(([n, t]) => `${quoteIdentifier(n, dialect)} ${t}`).join(", ")})`,
      params: [],
    });
    const values = table.columns.map(([, type], i) => `CAST($${i + 1} AS ${type})`).join(", ");
    for (const row of table.rows) {
      out.push({ sql: `INSERT INTO ${relation} VALUES (${values})`, params: row });
    }
  }
  return out;
}

/** A fresh DuckDB file with the demo tables, or `tables` (an existing file is replaced). */
export async function createDemoWarehouse(
  path: string,
  now: Date = new Date(),
  tables: readonly DemoTable[] = demoTables(now),
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    for (const s of demoWarehouseStatements("duckdb", now, tables)) {
      await connection.run(
        s.sql,
        s.params.map((p) => (typeof p === "number" ? String(p) : p)),
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(
    argv,
    {
      examples: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const examples = values.examples ?? bundledExamples();
  const out = values.out ?? join(".floe", "demo", "compiled_artifacts.json");
  const show = (file: string) => relative(process.cwd(), file) || file;
  const domain = join(examples, "domains", "sales", "manifest.yaml");
  const outcome = await compileFiles({
    enterprise: show(join(examples, "manifest.yaml")),
    domain: existsSync(domain) ? show(domain) : undefined,
    product: show(join(examples, "products", "shop", "floe.yaml")),
  });
  printDiagnostics(outcome.diagnostics);
  if (!outcome.ok) return 1;
  if (outcome.artifacts.product.compute.dialect !== "duckdb") {
    throw new UsageError("the demo product must use the embedded DuckDB (compute.dialect: duckdb)");
  }
  // The demo writes only its own file: a floe.yaml given with --examples may name a real warehouse.
  const artifacts: CompiledArtifacts = {
    ...outcome.artifacts,
    product: {
      ...outcome.artifacts.product,
      compute: { ...outcome.artifacts.product.compute, path: DEMO_WAREHOUSE },
    },
  };
  await writeArtifactsTo(out, artifacts);
  process.stdout.write(`${renderSummary(artifacts, out)}\n\n${renderModels(artifacts)}\n`);
  await createDemoWarehouse(resolve(DEMO_WAREHOUSE));
  // The plugins read this file: a DuckDB that writes a newer format stops here (FLOE-DQ111).
  assertDuckdbFileReadable(resolve(DEMO_WAREHOUSE), "the demo's floe_sql");
  process.stdout.write(
    `\nwarehouse ${DEMO_WAREHOUSE}: ${demoTables()
      .map((t) => `${t.name} (${t.rows.length} rows)`)
      .join(", ")}\n`,
  );

  const services = await openHostServices({ stateDir: join(".floe", "demo") });
  try {
    for (const model of artifacts.models) {
      const result = await runModelQuality({ artifacts, model: model.name }, services);
      process.stdout.write(`\n${renderRunOutcome(result)}\n`);
    }
  } finally {
    await services.close();
    services.releaseProcess();
  }
  process.stdout.write(
    "\nThe planted defects make some verdicts fail: that is the demo working. " +
      "`floe-quality run --artifacts .floe/demo/compiled_artifacts.json --model customers` " +
      "exits 1 on a failing verdict.\n",
  );
  return 0;
}

/** Per model: its enabled checks grouped by dimension, and the gate it must meet. */
function renderModels(artifacts: CompiledArtifacts): string {
  const gates = artifacts.quality_config.quality_gates;
  return artifacts.models
    .map((model) => {
      const gate = gates[model.quality_tier];
      const lines = [
        `${model.name} (${model.quality_tier}: coverage ≥ ${formatPercent(gate.min_test_coverage)}%, ` +
          `min score ${gate.min_score}${gate.required_tests.length ? `, requires ${gate.required_tests.join(", ")}` : ""})`,
      ];
      for (const check of model.quality_checks) {
        const target = check.column ?? "(table)";
        const flags = [check.severity, check.enabled ? "" : "disabled"].filter(Boolean).join(", ");
        lines.push(
          `  ${check.dimension.padEnd(12)}  ${check.type.padEnd(22)}  ${target.padEnd(14)}  ${check.name} [${flags}]`,
        );
      }
      return lines.join("\n");
    })
    .join("\n\n");
}
