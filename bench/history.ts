// The run history's cost per run: appending one model run (one transaction:
// the run row and a row per check) to the DuckDB store for suites of 10, 50 and
// 200 checks, reading an anomaly check's history, and rendering the HTML report
// of 20 models × 30 runs. Medians of RUNS appends after one warm-up.
// Run after `npx tsc -b`: npx tsx bench/history.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { QualityCheckResult } from "../host/src/config/results.js";
import { RunHistory } from "../host/src/history/store.js";
import { renderHtml } from "../host/src/report/render.js";
import type { QualityRunOutcome } from "../host/src/runtime/run.js";
import { figuresTable } from "./table.js";

const RUNS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

let next = 0;
function outcome(model: string, checks: number): QualityRunOutcome {
  const results: QualityCheckResult[] = Array.from({ length: checks }, (_, i) => ({
    check_name: `check_${i}`,
    passed: i % 7 !== 0,
    dimension: "validity",
    severity: "warning",
    records_checked: 1000,
    records_failed: i % 7 === 0 ? 3 : 0,
    execution_time_ms: 1,
    details: { observed_value: 1000 + (i % 5), failing_samples: ["a", "b", "c"] },
    error_message: null,
    custom_weight: null,
    status: i % 7 === 0 ? "failed" : "passed",
    error_code: null,
    check_type: "not_null",
    column: `c${i}`,
  }));
  const timestamp = new Date(Date.UTC(2026, 0, 1) + next * 60_000).toISOString();
  return {
    runId: `run-${next++}`,
    model,
    provider: "floe_sql",
    qualityTier: "silver",
    suiteResult: {
      suite_name: model,
      model_name: model,
      passed: false,
      checks: results,
      execution_time_ms: 10,
      summary: {},
      timestamp,
    },
    dbtTests: [],
    score: {
      overall: 90,
      dimension_scores: {
        completeness: 100,
        accuracy: 100,
        validity: 90,
        consistency: 100,
        timeliness: 100,
      },
      checks_passed: checks - Math.ceil(checks / 7),
      checks_failed: Math.ceil(checks / 7),
      dbt_tests_passed: 0,
      dbt_tests_failed: 0,
      model_name: model,
      timestamp,
    },
    verdict: "warn",
    violations: [],
    gate: {
      passed: true,
      tier: "silver",
      coverage_actual: 100,
      coverage_required: 80,
      missing_tests: [],
      violations: [],
      model_name: model,
    },
    errors: [],
    error: null,
    diagnostics: [],
    samples: { size: 5, store: true, sensitive: () => false, mask: String },
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "floe-bench-history-"));
  const rows: string[][] = [];
  try {
    const history = new RunHistory({ kind: "duckdb", path: join(dir, "history.duckdb") }, (m) => {
      throw new Error(m);
    });
    for (const checks of [10, 50, 200]) {
      await history.record("bench", outcome(`m${checks}`, checks));
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const o = outcome(`m${checks}`, checks);
        const start = performance.now();
        await history.record("bench", o);
        times.push(performance.now() - start);
      }
      rows.push([`append one run, ${checks} checks`, median(times).toFixed(1)]);
    }
    const reads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await history.observedValues("bench", "m50", [{ name: "check_1", limit: 30 }]);
      reads.push(performance.now() - start);
    }
    rows.push(["read one anomaly check's 30 values", median(reads).toFixed(1)]);
    for (let m = 0; m < 20; m++) {
      for (let r = 0; r < 30; r++) await history.record("bench", outcome(`model_${m}`, 20));
    }
    const start = performance.now();
    const models = await history.snapshot({ runs: 30 });
    const read = performance.now() - start;
    const renderStart = performance.now();
    const html = renderHtml({ models, generatedAt: new Date().toISOString(), store: "bench" });
    const render = performance.now() - renderStart;
    rows.push([`read the report's history (${models.length} models × 30 runs)`, read.toFixed(1)]);
    rows.push([`render the HTML (${(html.length / 1024).toFixed(0)} KiB)`, render.toFixed(1)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `${figuresTable(["run history (DuckDB store)", "ms"], rows, { rule: true }).join("\n")}\n`,
  );
}

await main();
