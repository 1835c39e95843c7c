// Spans leave a running `serve` as it works, not when it stops: with the
// OpenTelemetry batch defaults (a batch every 5 s), the host's and the plugin's
// spans of a run reach a local OTLP receiver while both processes keep running.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import {
  compileShop,
  orchestrate,
  type ServeProcess,
  startOtlpReceiver,
  startServe,
  waitFor,
} from "./support.js";

vi.setConfig({ testTimeout: 60_000 });

let dir: string;
let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
let serve: ServeProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-traces-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  const artifacts = await compileShop(dir, "dialect: duckdb\npath: warehouse.duckdb");
  otlp = await startOtlpReceiver();
  serve = await startServe(["--listen", "127.0.0.1:0", "--artifacts", artifacts], {
    cwd: dir,
    env: {
      FLOE_STATE_DIR: join(dir, "state"),
      FLOE_LINEAGE_TRANSPORT: "none",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    },
  });
});

afterAll(async () => {
  await serve?.stop();
  await otlp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("exports the spans of each run while serve keeps running", async () => {
  for (const model of ["orders", "customers"]) {
    const [result] = await orchestrate(serve.address, [{ method: "run", model }]);
    const runId = result.outcome.run_id;
    const answeredAt = Date.now();
    // Generous: the batch comes within its 5 s schedule; a loaded machine may add to it.
    const spans = await waitFor(
      `the spans of the ${model} run`,
      () => {
        const run = otlp.spans.find(
          (s) => s.name === "floe.run" && s.attributes["floe.run_id"] === runId,
        );
        const served = otlp.spans.find(
          (s) => s.name === "floe.plugin.serve.RunChecks" && s.traceId === run?.traceId,
        );
        return run && served ? { run, served } : undefined;
      },
      30_000,
    );
    expect(serve.child.exitCode).toBeNull();
    expect(spans.run.attributes["floe.model"]).toBe(model);
    expect(spans.served.service).toBe("floe-quality-plugin");
    // The figure the schedule promises, printed for the record (not asserted: load adds to it).
    process.stdout.write(
      `spans of ${model} received ${Date.now() - answeredAt} ms after the run\n`,
    );
  }
});
