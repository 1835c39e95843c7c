// Scoring figures: the pure core inline, the cost of copying its input to a
// worker (structuredClone), and a piscina worker round trip, for growing suites
// (median of 15 runs, after 3 warm-ups). Run after `npx tsc -b`: npx tsx bench/scoring.ts
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Piscina } from "piscina";
import { CalculationParametersSchema, DimensionWeightsSchema } from "../host/src/config/quality.js";
import { calculateQualityScore, type ScoredCheck } from "../host/src/scoring/index.js";

const RUNS = 15;
const WARMUP = 3;
const SIZES = [10, 100, 1_000, 10_000, 100_000];
const DIMENSIONS = ["completeness", "accuracy", "validity", "consistency", "timeliness"] as const;
const SEVERITIES = ["critical", "warning", "info"] as const;
const STATUSES = ["passed", "passed", "passed", "failed", "error", "skipped"] as const;

const config = {
  dimension_weights: DimensionWeightsSchema.parse({}),
  calculation: CalculationParametersSchema.parse({}),
};

function checks(n: number): ScoredCheck[] {
  return Array.from({ length: n }, (_, i) => ({
    dimension: DIMENSIONS[i % DIMENSIONS.length]!,
    severity: SEVERITIES[i % SEVERITIES.length]!,
    status: STATUSES[i % STATUSES.length]!,
    custom_weight: i % 7 === 0 ? 2 : null,
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(fn: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const start = performance.now();
    await fn();
    if (i >= WARMUP) samples.push(performance.now() - start);
  }
  return median(samples);
}

const pool = new Piscina({
  filename: join(import.meta.dirname, "scoring-worker.mjs"),
  minThreads: 1,
  maxThreads: 1,
});

const rows: string[][] = [];
for (const n of SIZES) {
  const input = checks(n);
  const inline = await timed(() => calculateQualityScore(input, config));
  const clone = await timed(() => structuredClone(input));
  const worker = await timed(() => pool.run({ checks: input, config }));
  rows.push([String(n), inline.toFixed(3), clone.toFixed(3), worker.toFixed(3)]);
}
await pool.destroy();

const header = ["checks", "inline ms", "structuredClone ms", "piscina round trip ms"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
console.log(line(header));
for (const row of rows) console.log(line(row));
