// The shell example for orchestrators without an integration
// (examples/orchestrators/shell/check-models.sh): the built CLI against the
// demo warehouse with the real floe_sql plugin, gating on exit codes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CLI, type CliRun, floeQuality, ROOT, runCommand } from "./support.js";

vi.setConfig({ testTimeout: 90_000 });

const SCRIPT = join(ROOT, "examples/orchestrators/shell/check-models.sh");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-shell-"));
  const demo = await floeQuality(["demo"], { cwd: dir, env: { FLOE_LINEAGE_TRANSPORT: "none" } });
  if (demo.code !== 0) throw new Error(demo.stderr);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function checkModels(models: string[]): Promise<CliRun> {
  return runCommand("bash", [SCRIPT, ...models], {
    cwd: dir,
    timeoutMs: 80_000,
    env: {
      ...process.env,
      FLOE_LINEAGE_TRANSPORT: "none",
      FLOE_ARTIFACTS: ".floe/demo/compiled_artifacts.json",
      FLOE_QUALITY: `${process.execPath} ${CLI}`,
    },
  });
}

describe("examples/orchestrators/shell/check-models.sh", () => {
  it("passes when every model passes or warns", async () => {
    const run = await checkModels(["order_events", "orders"]);
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").filter((l) => l.startsWith("quality: "))).toEqual([
      "quality: order_events ok",
      "quality: orders ok",
    ]);
  });

  it("stops at the first failing verdict with exit 1", async () => {
    const run = await checkModels(["orders", "customers", "order_events"]);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").filter((l) => l.startsWith("quality: "))).toEqual([
      "quality: orders ok",
    ]);
    expect(run.stderr).toContain(
      "quality: customers failed its checks; stopping before the next step\n",
    );
    expect(run.stdout).not.toContain("order_events (bronze");
  });

  it("passes a configuration error through with its exit code", async () => {
    const run = await checkModels(["invoices"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("quality: invoices could not be checked (exit 2)");
  });
});
