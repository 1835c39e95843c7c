// Inline versus piscina-pool scoring of encoded CalculateQualityScoreRequests, the
// measurement behind DEFAULT_CUTOVER_BYTES. For each size: median wall time of
// decode+score inline and on the pool (buffer transferred), and the longest the
// event loop was blocked meanwhile. Run after `npx tsc -b`: npx tsx bench/scoring-pool.ts
import { performance } from "node:perf_hooks";
import { contract } from "@floe/quality-sdk";
import { ScoringPool, scoreEncodedRequest } from "../host/src/scoring/index.js";

const SIZES = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
const { CheckStatus } = contract;

function encode(n: number): Uint8Array {
  const checks = Array.from({ length: n }, (_, i) =>
    contract.QualityCheckResult.fromPartial({
      checkName: `check_${i}`,
      dimension: (i % 5) + 1,
      severity: (i % 3) + 1,
      status: i % 4 === 0 ? CheckStatus.CHECK_STATUS_FAILED : CheckStatus.CHECK_STATUS_PASSED,
      passed: i % 4 !== 0,
      recordsChecked: 1000,
      recordsFailed: i % 4 === 0 ? 3 : 0,
    }),
  );
  return contract.CalculateQualityScoreRequest.encode({
    results: contract.QualitySuiteResult.fromPartial({ modelName: "bench", checks }),
    config: undefined,
    dbtResults: [],
  }).finish();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall time of `fn`, and the longest gap between ticks of a 1 ms timer meanwhile. */
async function measure(fn: () => unknown, runs: number) {
  const times: number[] = [];
  let blocked = 0;
  for (let i = 0; i < runs + 2; i++) {
    let last = performance.now();
    let longest = 0;
    const timer = setInterval(() => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
    }, 1);
    await new Promise((r) => setTimeout(r, 3));
    const start = performance.now();
    await fn();
    const elapsed = performance.now() - start;
    // One more tick closes the gap the work opened.
    await new Promise((r) => setTimeout(r, 3));
    clearInterval(timer);
    if (i >= 2) {
      times.push(elapsed);
      blocked = Math.max(blocked, longest);
    }
  }
  return { median: median(times), blocked };
}

const pool = new ScoringPool({ cutoverBytes: 0 });
const rows: string[] = [];
for (const n of SIZES) {
  const bytes = encode(n);
  const runs = n >= 1_000_000 ? 2 : n >= 100_000 ? 5 : 15;
  const inline = await measure(() => scoreEncodedRequest(bytes), runs);
  const pooled = await measure(() => pool.scoreRequest(bytes), runs);
  rows.push(
    [
      String(n).padStart(9),
      String(bytes.byteLength).padStart(10),
      inline.median.toFixed(3).padStart(11),
      pooled.median.toFixed(3).padStart(11),
      inline.blocked.toFixed(1).padStart(12),
      pooled.blocked.toFixed(1).padStart(12),
    ].join(" | "),
  );
}
await pool.close();
console.log("   checks |      bytes | inline ms |   pool ms | inline block | pool block");
console.log(rows.join("\n"));
console.log(
  "(block = longest gap between ticks of a 1 ms timer while scoring; wall times are medians)",
);
