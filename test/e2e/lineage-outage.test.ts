// Lineage survives its backend: the HTTP backend is down during three runs and
// the host (`serve`) is restarted; once the backend is back every event arrives,
// in order, none lost, none duplicated. The runs' results never depend on it.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import {
  compileShop,
  type LineageReceiver,
  orchestrate,
  startLineageReceiver,
  startServe,
  waitFor,
} from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;
let artifacts: string;
let lineage: LineageReceiver;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-lineage-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  artifacts = await compileShop(dir, "dialect: duckdb\npath: warehouse.duckdb");
  lineage = await startLineageReceiver();
});

afterAll(async () => {
  await lineage?.down();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("delivers every event of runs made while the backend was down, after a host restart, in order, once", async () => {
  const env = {
    OPENLINEAGE_URL: lineage.url,
    FLOE_STATE_DIR: join(dir, "state"),
    // Traces go nowhere either: a refused exporter must not cost a run its results.
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1",
  };
  await lineage.down();
  const serveArgs = ["--listen", "127.0.0.1:0", "--artifacts", artifacts];
  const first = await startServe(serveArgs, { cwd: dir, env });
  const results = await orchestrate(
    first.address,
    ["customers", "orders", "order_events"].map((model) => ({
      method: "run",
      model,
      artifactsPath: artifacts,
    })),
  );
  expect(results.map((r) => r.outcome.verdict)).toEqual([
    "VERDICT_FAIL",
    "VERDICT_WARN",
    "VERDICT_PASS",
  ]);
  expect(await first.stop()).toBe(0);
  expect(first.stderr()).toContain(
    `warning: lineage: FLOE-DQ110 lineage backend unavailable, events kept in ${join(dir, "state", "lineage-spool")}`,
  );
  expect(first.stderr()).toContain(
    "warning: lineage: FLOE-DQ110 6 event(s) not delivered yet, kept in",
  );
  expect(lineage.events).toEqual([]);

  await lineage.up();
  const second = await startServe(serveArgs, { cwd: dir, env });
  try {
    // A run after the restart: its events must come after the spooled ones.
    const [later] = await orchestrate(second.address, [
      { method: "run", model: "orders", artifactsPath: artifacts },
    ]);
    await waitFor("eight events", () => lineage.events.length >= 8);
    const runIds = [...results, later].map((r) => r.outcome.run_id);
    expect(lineage.events.map((e) => [e.run.runId, e.eventType, e.job.name])).toEqual([
      [runIds[0], "START", "customers.quality"],
      [runIds[0], "FAIL", "customers.quality"],
      [runIds[1], "START", "orders.quality"],
      [runIds[1], "COMPLETE", "orders.quality"],
      [runIds[2], "START", "order_events.quality"],
      [runIds[2], "COMPLETE", "order_events.quality"],
      [runIds[3], "START", "orders.quality"],
      [runIds[3], "COMPLETE", "orders.quality"],
    ]);
    // A delivered event's spool file is removed after the backend acknowledged it.
    await expect
      .poll(() => readdir(join(dir, "state", "lineage-spool")), { timeout: 15_000 })
      .toEqual([]);
  } finally {
    expect(await second.stop()).toBe(0);
  }
  expect(lineage.events).toHaveLength(8);
});
