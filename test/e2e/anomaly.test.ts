// Anomaly checks from the run history: 30 runs of a model through the real
// floe_sql plugin, the table refreshed before each run like a daily load, one
// run with a planted change. The check is skipped while the history is short,
// fails on the changed run only, and the history may live in DuckDB (the state
// directory) or PostgreSQL.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { knownProviders } from "../../host/src/cli/commands/compile.js";
import { compileOneFile } from "../../host/src/cli/project.js";
import type { CompiledArtifacts } from "../../host/src/compile/artifacts.js";
import { runModelQuality } from "../../host/src/runtime/run.js";
import { type HostServices, openHostServices } from "../../host/src/runtime/services.js";
import { usePostgres } from "../support/postgres.js";
import { floeQuality } from "./support.js";

vi.setConfig({ testTimeout: 600_000 });

const postgres = usePostgres();
let dir: string;
let artifacts: CompiledArtifacts;

const RUNS = 30;
/** The run (1-based) whose load lost most of its rows. */
const CHANGED = 20;

/** Rows of the daily load of run `n`: about 1000 with a small wobble, 400 on the changed run. */
const rowsOf = (n: number) => (n === CHANGED ? 400 : 1000 + ((n * 37) % 50));

async function load(run: number): Promise<void> {
  const instance = await DuckDBInstance.create(join(dir, "warehouse.duckdb"));
  const connection = await instance.connect();
  try {
    await connection.run(
      `CREATE OR REPLACE TABLE main.events AS
         SELECT i AS event_id, CAST(i % 100 AS DOUBLE) AS amount,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 'note' END AS note
           FROM range(1, $1 + 1) t(i)`,
      [rowsOf(run)],
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-anomaly-"));
  await writeFile(
    join(dir, "floe.yaml"),
    [
      "name: telemetry",
      "compute: { dialect: duckdb, path: warehouse.duckdb }",
      "models:",
      "  - name: events",
      "    tier: bronze",
      "    columns: [event_id, amount, note]",
      "    quality_checks:",
      "      - { name: event_id_present, type: not_null, column: event_id }",
      "      - name: row_count_anomaly",
      "        type: anomaly",
      "        parameters: { metric: row_count }",
      "      - name: note_nulls_anomaly",
      "        type: anomaly",
      "        parameters: { metric: null_fraction, metric_column: note }",
      "      - name: amount_mean_anomaly",
      "        type: anomaly",
      "        parameters: { metric: mean, metric_column: amount, min_history: 5, lookback_runs: 10 }",
      "",
    ].join("\n"),
  );
  const compiled = await compileOneFile(join(dir, "floe.yaml"), knownProviders());
  expect(compiled.diagnostics).toEqual([]);
  if (!compiled.ok) throw new Error("the project does not compile");
  artifacts = compiled.artifacts;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface RunSummary {
  verdict: string;
  statuses: Record<string, string>;
  observed: Record<string, unknown>;
}

/** 30 daily loads and runs against one history; each run's check statuses. */
async function thirtyRuns(services: HostServices): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  for (let run = 1; run <= RUNS; run++) {
    await load(run);
    const outcome = await runModelQuality(
      { artifacts, model: "events" },
      { ...services, cwd: dir },
    );
    const checks = outcome.suiteResult.checks;
    out.push({
      verdict: outcome.verdict,
      statuses: Object.fromEntries(checks.map((c) => [c.check_name, c.status])),
      observed: Object.fromEntries(checks.map((c) => [c.check_name, c.details.observed_value])),
    });
  }
  return out;
}

function expectPlantedChangeCaught(runs: RunSummary[]): void {
  // Row count: skipped for the first 7 runs (min_history 7), then it passes on
  // every run but the changed one.
  expect(runs.map((r) => r.statuses.row_count_anomaly)).toEqual(
    Array.from({ length: RUNS }, (_, i) =>
      i < 7 ? "skipped" : i + 1 === CHANGED ? "failed" : "passed",
    ),
  );
  expect(runs.map((r) => r.observed.row_count_anomaly)).toEqual(
    Array.from({ length: RUNS }, (_, i) => rowsOf(i + 1)),
  );
  // The null fraction and the mean did not move: skipped while short, then passed.
  expect(runs.map((r) => r.statuses.note_nulls_anomaly)).toEqual(
    Array.from({ length: RUNS }, (_, i) => (i < 7 ? "skipped" : "passed")),
  );
  expect(runs.map((r) => r.statuses.amount_mean_anomaly)).toEqual(
    Array.from({ length: RUNS }, (_, i) => (i < 5 ? "skipped" : "passed")),
  );
  expect(runs.every((r) => r.statuses.event_id_present === "passed")).toBe(true);
}

describe("anomaly checks over 30 runs with a planted change", () => {
  it("fail on the changed run only, with the history in the state directory (DuckDB)", async () => {
    const state = join(dir, "state-duckdb");
    const services = await openHostServices({
      env: { ...process.env, FLOE_LINEAGE_TRANSPORT: "none" },
      stateDir: state,
      lineage: false,
    });
    let runs: RunSummary[];
    try {
      runs = await thirtyRuns(services);
    } finally {
      await services.close();
    }
    expectPlantedChangeCaught(runs);
    // The changed run's score drops with its failed check; `history` lists it.
    const listed = await floeQuality(["history", "--model", "events", "--limit", "30", "--json"], {
      cwd: dir,
      env: { FLOE_STATE_DIR: state },
    });
    const history = JSON.parse(listed.stdout).runs.reverse();
    expect(history).toHaveLength(RUNS);
    expect(
      history.flatMap((r: { failed_checks: string[] }, i: number) =>
        r.failed_checks.length > 0 ? [[i + 1, r.failed_checks]] : [],
      ),
    ).toEqual([[CHANGED, ["row_count_anomaly"]]]);
  });

  it("fail on the changed run only, with the history in PostgreSQL", async () => {
    const url = await postgres().createDatabase("history");
    const services = await openHostServices({
      env: { ...process.env, FLOE_LINEAGE_TRANSPORT: "none" },
      stateDir: join(dir, "state-pg"),
      historyUrl: url,
      lineage: false,
    });
    let runs: RunSummary[];
    try {
      runs = await thirtyRuns(services);
    } finally {
      await services.close();
    }
    expectPlantedChangeCaught(runs);
  });
});
