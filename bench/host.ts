// Scoring 1 000 checks: inline (the pure core, and decode + score of the encoded
// request), on the piscina pool (forced), and through CalculateQualityScore over
// gRPC against a real `floe-quality serve` process (sequential calls for latency,
// 16 in flight for throughput). Prints p50/p99 latency and throughput.
// Run after `npx tsc -b`: npx tsx bench/host.ts
import { performance } from "node:perf_hooks";
import { contract } from "@floe/quality-sdk";
import { credentials, Metadata, makeGenericClientConstructor } from "@grpc/grpc-js";
import { QualityConfigSchema } from "../host/src/config/quality.js";
import { checkResultFromProto } from "../host/src/config/results.js";
import {
  calculateQualityScore,
  ScoringPool,
  scoreEncodedRequest,
} from "../host/src/scoring/index.js";
import { startServe } from "./serve.js";
import { figuresTable } from "./table.js";

const CHECKS = 1_000;

const checks = Array.from({ length: CHECKS }, (_, i) =>
  contract.QualityCheckResult.fromPartial({
    checkName: `check_${i}`,
    dimension: (i % 5) + 1,
    severity: (i % 3) + 1,
    status:
      i % 4 === 0
        ? contract.CheckStatus.CHECK_STATUS_FAILED
        : contract.CheckStatus.CHECK_STATUS_PASSED,
    passed: i % 4 !== 0,
    recordsChecked: 1000,
    recordsFailed: i % 4 === 0 ? 3 : 0,
  }),
);
const request: contract.CalculateQualityScoreRequest = {
  results: contract.QualitySuiteResult.fromPartial({ modelName: "bench", checks }),
  config: undefined,
  dbtResults: [],
};
const encoded = contract.CalculateQualityScoreRequest.encode(request).finish();
const config = QualityConfigSchema.parse({ provider: "bench" });
const decoded = checks.map(checkResultFromProto);

interface Row {
  path: string;
  calls: number;
  p50: number;
  p99: number;
  perSecond: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The table row for `times` (ms per call) measured over `totalMs`. */
function rowOf(path: string, times: number[], totalMs: number): Row {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    path,
    calls: times.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    perSecond: (times.length / totalMs) * 1000,
  };
}

async function sequential(path: string, calls: number, fn: () => unknown): Promise<Row> {
  for (let i = 0; i < Math.min(200, calls); i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return rowOf(path, times, performance.now() - start);
}

async function concurrent(
  path: string,
  calls: number,
  inFlight: number,
  fn: () => Promise<unknown>,
): Promise<Row> {
  const times: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) {
        next += 1;
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
    }),
  );
  return rowOf(path, times, performance.now() - start);
}

const rows: Row[] = [];
rows.push(
  await sequential("inline calculateQualityScore", 5_000, () =>
    calculateQualityScore(decoded, config),
  ),
);
rows.push(
  await sequential("inline decode + score (request bytes)", 5_000, () =>
    scoreEncodedRequest(encoded),
  ),
);
const pool = new ScoringPool({ cutoverBytes: 0 });
rows.push(
  await sequential("piscina pool (forced), decode + score", 2_000, () =>
    pool.scoreRequest(encoded),
  ),
);
await pool.close();

const serve = await startServe();
const Client = makeGenericClientConstructor(contract.QualityHostServiceService, "QualityHost");
const client = new Client(serve.address, credentials.createInsecure());
const score = () =>
  new Promise<void>((done, fail) =>
    client.calculateQualityScore!(request, new Metadata(), (error: Error | null) =>
      error ? fail(error) : done(),
    ),
  );
rows.push(await sequential("gRPC CalculateQualityScore, 1 in flight", 3_000, score));
rows.push(await concurrent("gRPC CalculateQualityScore, 16 in flight", 6_000, 16, score));
client.close();
await serve.stop();

const header = ["path (1 000 checks)", "calls", "p50 ms", "p99 ms", "scores/s"];
const table = rows.map((r) => [
  r.path,
  String(r.calls),
  r.p50.toFixed(3),
  r.p99.toFixed(3),
  r.perSecond.toFixed(0),
]);
console.log(figuresTable(header, table).join("\n"));
console.log(`request size ${encoded.byteLength} bytes`);
