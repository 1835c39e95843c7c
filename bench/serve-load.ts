// Does a large request stall `serve`? Health/Check latency against a real serve
// process while idle and while a Compile of a large project (3 500 models,
// 12 checks each, about 2.2 MB of YAML) is worked on, and how long that
// Compile takes. Compile runs on a worker thread, so health should stay in
// milliseconds. Run: npx tsc -b && npx tsx bench/serve-load.ts
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { contract } from "@floe/quality-sdk";
import { credentials, Metadata, makeGenericClientConstructor } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { startServe } from "./serve.js";
import { figuresTable } from "./table.js";

const ROOT = resolve(import.meta.dirname, "..");

const serve = await startServe();
const Health = makeGenericClientConstructor(healthService as never, "Health");
const health = new Health(serve.address, credentials.createInsecure()) as unknown as {
  check(r: object, m: Metadata, o: object, cb: (e: Error | null) => void): void;
  close(): void;
};
const Host = makeGenericClientConstructor(contract.QualityHostServiceService, "Host");
const host = new Host(serve.address, credentials.createInsecure(), {
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
}) as unknown as {
  compile(r: object, m: Metadata, o: object, cb: (e: Error | null) => void): void;
  close(): void;
};

const checkOnce = () =>
  new Promise<number>((done, fail) => {
    const started = performance.now();
    health.check({ service: "" }, new Metadata(), { deadline: Date.now() + 30_000 }, (e) =>
      e ? fail(e) : done(performance.now() - started),
    );
  });

/** Health latencies, one Check every 10 ms, until `until` settles. */
async function pollDuring(until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const times: number[] = [];
  while (!done) {
    times.push(await checkOnce());
    await new Promise((r) => setTimeout(r, 10));
  }
  return times;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

const checks = Array.from(
  { length: 12 },
  (_, c) => `      - {name: c${c}, type: not_null, column: col${c}}`,
).join("\n");
const models = Array.from(
  { length: 3_500 },
  (_, i) => `  - name: m${i}\n    quality_checks:\n${checks}`,
).join("\n");
const product = `name: shop\ncompute: {dialect: duckdb, path: w.duckdb}\nmodels:\n${models}\n`;
const enterprise = await readFile(join(ROOT, "examples/manifest.yaml"), "utf8");

const idle = await pollDuring(new Promise((r) => setTimeout(r, 3_000)));
const compileStarted = performance.now();
let compileMs = 0;
const compiling = new Promise<void>((done, fail) =>
  host.compile(
    {
      enterpriseManifest: { path: "manifest.yaml", content: enterprise },
      productConfig: { path: "floe.yaml", content: product },
    },
    new Metadata(),
    { deadline: Date.now() + 300_000 },
    (e) => {
      compileMs = performance.now() - compileStarted;
      return e ? fail(e) : done();
    },
  ),
);
const during = await pollDuring(compiling);
await compiling;
health.close();
host.close();
await serve.stop();

const row = (what: string, xs: number[]) => [
  what,
  String(xs.length),
  percentile(xs, 50).toFixed(2),
  percentile(xs, 99).toFixed(2),
  Math.max(...xs).toFixed(2),
];
for (const line of figuresTable(
  ["Health/Check against serve", "checks", "p50 ms", "p99 ms", "max ms"],
  [row("idle", idle), row(`during a ${(product.length / 1e6).toFixed(1)} MB Compile`, during)],
  { rule: true },
)) {
  console.log(line);
}
console.log(
  `Compile of 3 500 models x 12 checks: ${(compileMs / 1000).toFixed(1)} s (on the worker)`,
);
