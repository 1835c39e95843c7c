// Plugin runtime figures: discovery of 100 descriptors, and spawn-to-SERVING
// of the test plugins (median of 10). Run: npx tsx bench/plugins.ts
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { discoverPlugins, resolveProvider, startPlugin } from "../host/src/plugins/index.js";
import { figuresTable } from "./table.js";

const FIXTURES = resolve(import.meta.dirname, "../test/fixtures/plugins");
const RUNS = 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function generatedDescriptors(count: number): string {
  const root = mkdtempSync(join(tmpdir(), "floe-bench-discovery-"));
  for (let i = 0; i < count; i++) {
    const dir = join(root, `plugin-${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "main.js"), "");
    writeFileSync(
      join(dir, "floe-plugin.json"),
      JSON.stringify({
        name: `bench_${i}`,
        type: "quality",
        provider: `bench_${i}`,
        version: "0.1.0",
        description: "generated",
        runtime: "node",
        command: "main.js",
        args: [],
        floe_api_version: "1.0.0",
      }),
    );
  }
  return root;
}

async function spawnToServing(provider: string): Promise<number[]> {
  const descriptor = resolveProvider(
    discoverPlugins({ env: { FLOE_PLUGIN_PATH: FIXTURES }, workspaceRoot: tmpdir() }),
    provider,
  );
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const plugin = await startPlugin(descriptor, { onLog: () => undefined });
    times.push(plugin.timings.servingMs);
    await plugin.stop();
  }
  return times;
}

const rows: Array<[string, string, string, string]> = [];

const root = generatedDescriptors(100);
const env = { FLOE_PLUGIN_PATH: root };
const workspaceRoot = mkdtempSync(join(tmpdir(), "floe-bench-ws-"));
const cold = performance.now();
const found = discoverPlugins({ env, workspaceRoot });
const coldMs = performance.now() - cold;
if (found.plugins.length !== 100)
  throw new Error(`discovered ${found.plugins.length} of 100 descriptors`);
const warm: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  discoverPlugins({ env, workspaceRoot });
  warm.push(performance.now() - t);
}
rows.push(["discovery of 100 descriptors (first run)", coldMs.toFixed(1), "1", "< 100 ms"]);
rows.push([
  "discovery of 100 descriptors (median)",
  median(warm).toFixed(1),
  String(RUNS),
  "< 100 ms",
]);
rmSync(root, { recursive: true, force: true });
rmSync(workspaceRoot, { recursive: true, force: true });

const ts = await spawnToServing("ts_echo");
rows.push(["ts_echo spawn-to-SERVING (median)", median(ts).toFixed(1), String(RUNS), "< 300 ms"]);
if (existsSync(join(FIXTURES, "py-echo/floe-plugin.json"))) {
  const py = await spawnToServing("py_echo");
  rows.push(["py_echo spawn-to-SERVING (median)", median(py).toFixed(1), String(RUNS), "-"]);
}

const header: [string, string, string, string] = ["measure", "ms", "runs", "target"];
process.stdout.write(`${figuresTable(header, rows, { rule: true }).join("\n")}\n`);
