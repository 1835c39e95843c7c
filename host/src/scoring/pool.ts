// Runs scoring inline for small batches and on a piscina worker pool for large
// ones. The request travels to the worker still encoded, in a transferred buffer
// (no copy, no structured clone of a million objects), so the event loop only
// hands bytes over while the worker decodes and scores.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { contract, FloeError, type FloeErrorCode } from "@floe/quality-sdk";
import { Piscina } from "piscina";
import type { QualityConfig } from "../config/quality.js";
import {
  checkResultToProto,
  type QualityCheckResult,
  type QualityScore,
  qualityConfigToProto,
} from "../config/results.js";
import { scoreEncodedRequest } from "./request.js";
import { calculateQualityScore } from "./score.js";

/** Encoded bytes per check result, about (bench/scoring-pool.ts: 1 000 checks ≈ 24 kB). */
const BYTES_PER_CHECK = 24;

/**
 * Requests at least this large (about 5 000 checks) go to the pool. From
 * `bench/scoring-pool.ts` on the project's 2-core machine: below ~1 000 checks the
 * pool's fixed cost (~0.4 ms) doubles the time; from ~10 000 on, inline
 * decode-and-score blocks the event loop for tens to thousands of milliseconds
 * while the pool keeps it within a few ms plus one buffer copy (docs/scoring.md).
 */
export const DEFAULT_CUTOVER_BYTES = 128 * 1024;

export interface ScoringPoolOptions {
  /** Encoded requests of at least this many bytes are scored on a worker. */
  cutoverBytes?: number;
  /** Worker threads; defaults to one (scoring is short; more threads only help many concurrent large batches). */
  maxThreads?: number;
}

/** The built worker module: next to this file in dist/, or dist/ beside src/ when run from source. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), "worker.js");
  if (existsSync(sibling)) return sibling;
  const built = join(dirname(here), "..", "..", "dist", "scoring", "worker.js");
  if (existsSync(built)) return built;
  throw new Error(
    `the scoring worker is not built (looked for ${sibling} and ${built}): run npm run build`,
  );
}

type WorkerOutcome =
  | { score: QualityScore; error?: undefined }
  | { error: { code: FloeErrorCode; message: string; path?: string } };

export class ScoringPool {
  readonly cutoverBytes: number;
  private readonly maxThreads: number;
  private pool: Piscina | undefined;

  constructor(options: ScoringPoolOptions = {}) {
    this.cutoverBytes = options.cutoverBytes ?? DEFAULT_CUTOVER_BYTES;
    this.maxThreads = options.maxThreads ?? 1;
  }

  /** Where a request of this size is scored. */
  placement(byteLength: number): "inline" | "pool" {
    return byteLength >= this.cutoverBytes ? "pool" : "inline";
  }

  /**
   * Scores an encoded CalculateQualityScoreRequest. Large requests are copied once
   * into a buffer of their own and transferred to a worker.
   */
  async scoreRequest(bytes: Uint8Array, now: Date = new Date()): Promise<QualityScore> {
    if (this.placement(bytes.byteLength) === "inline") return scoreEncodedRequest(bytes, now);
    this.pool ??= new Piscina({
      filename: workerFile(),
      minThreads: 0,
      maxThreads: this.maxThreads,
      idleTimeout: 30_000,
    });
    const owned = new Uint8Array(bytes);
    const outcome: WorkerOutcome = await this.pool.run(
      { bytes: owned, now: now.getTime() },
      { transferList: [owned.buffer as ArrayBuffer] },
    );
    if (outcome.error) {
      const { code, message, path } = outcome.error;
      throw new FloeError(code, message, { path });
    }
    return outcome.score;
  }

  /**
   * Scores a run's results where they are: inline below the cut-over (no copy, no
   * encoding); above it they are encoded once, at the thread boundary, and scored
   * on a worker like any large request.
   */
  async scoreChecks(
    checks: readonly QualityCheckResult[],
    config: QualityConfig,
    options: { dbtResults: readonly QualityCheckResult[]; modelName: string },
    now: Date = new Date(),
  ): Promise<QualityScore> {
    const count = checks.length + options.dbtResults.length;
    if (this.placement(count * BYTES_PER_CHECK) === "inline") {
      return calculateQualityScore(checks, config, { ...options, now });
    }
    const bytes = contract.CalculateQualityScoreRequest.encode({
      results: {
        suiteName: options.modelName,
        modelName: options.modelName,
        passed: false,
        checks: checks.map(checkResultToProto),
        executionTimeMs: 0,
        summary: {},
        timestamp: now,
      },
      config: qualityConfigToProto(config),
      dbtResults: options.dbtResults.map(checkResultToProto),
    }).finish();
    return this.scoreRequest(bytes, now);
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
