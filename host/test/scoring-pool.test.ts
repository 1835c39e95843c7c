import { contract, FloeError } from "@floe/quality-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { QualityConfigSchema } from "../src/config/quality.js";
import { checkResultFromProto } from "../src/config/results.js";
import { calculateQualityScore, ScoringPool, scoreEncodedRequest } from "../src/scoring/index.js";

const { Dimension, Severity, CheckStatus } = contract;
const dims = [
  Dimension.DIMENSION_COMPLETENESS,
  Dimension.DIMENSION_ACCURACY,
  Dimension.DIMENSION_VALIDITY,
  Dimension.DIMENSION_CONSISTENCY,
  Dimension.DIMENSION_TIMELINESS,
];
const sevs = [Severity.SEVERITY_CRITICAL, Severity.SEVERITY_WARNING, Severity.SEVERITY_INFO];
const statuses = [
  CheckStatus.CHECK_STATUS_PASSED,
  CheckStatus.CHECK_STATUS_PASSED,
  CheckStatus.CHECK_STATUS_FAILED,
  CheckStatus.CHECK_STATUS_TIMED_OUT,
  CheckStatus.CHECK_STATUS_SKIPPED,
  CheckStatus.CHECK_STATUS_PASSED,
  CheckStatus.CHECK_STATUS_PASSED,
];

function checks(n: number): contract.QualityCheckResult[] {
  return Array.from({ length: n }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    return contract.QualityCheckResult.fromPartial({
      checkName: `c${i}`,
      dimension: dims[i % dims.length],
      severity: sevs[i % sevs.length],
      status,
      passed: status === CheckStatus.CHECK_STATUS_PASSED,
      customWeight: i % 11 === 0 ? 0.7 : undefined,
    });
  });
}

function encode(n: number, config?: contract.QualityConfig): Uint8Array {
  return contract.CalculateQualityScoreRequest.encode({
    results: contract.QualitySuiteResult.fromPartial({ modelName: "orders", checks: checks(n) }),
    config,
    dbtResults: checks(3),
  }).finish();
}

const now = new Date("2026-11-25T12:00:00.000Z");
const pool = new ScoringPool({ cutoverBytes: 1024 });
afterAll(() => pool.close());

describe("scoring pool", () => {
  it("scores small requests inline and large ones on a worker, with identical results", async () => {
    const small = encode(10);
    const large = encode(5_000);
    expect(pool.placement(small.byteLength)).toBe("inline");
    expect(pool.placement(large.byteLength)).toBe("pool");
    const config = QualityConfigSchema.parse({ provider: "floe_sql" });
    for (const [n, bytes] of [
      [10, small],
      [5_000, large],
    ] as const) {
      const expected = calculateQualityScore(checks(n).map(checkResultFromProto), config, {
        dbtResults: checks(3).map(checkResultFromProto),
        modelName: "orders",
        now,
      });
      expect(await pool.scoreRequest(bytes, now)).toEqual(expected);
      expect(scoreEncodedRequest(bytes, now)).toEqual(expected);
    }
  });

  it("scores a 10-check request exactly as computed by hand", () => {
    // Plugin checks c0..c9 cycle statuses P P F T S P P, dimensions C A V Co T and
    // severities critical(3) warning(1) info(0.5); c0 has custom_weight 0.7.
    // dbt checks d0..d2: P C 0.7 | P A 1 | F V 0.5.
    // completeness: c0 P .7, c5 P .5, d0 P .7          -> 100
    // accuracy:     c1 P 1,  c6 P 3,  d1 P 1           -> 100
    // validity:     c2 F .5, c7 P 1,  d2 F .5          -> 100 / 2 = 50
    // consistency:  c3 T 3,  c8 P .5                   -> 50 / 3.5
    // timeliness:   c4 skipped, c9 F 3                 -> 0
    // overall = 25 + 25 + 50*.2 + (50/3.5)*.15 + 0 = 62.142857..., inside [20, 100]
    const score = scoreEncodedRequest(encode(10), now);
    const { consistency, ...exact } = score.dimension_scores;
    expect(exact).toEqual({ completeness: 100, accuracy: 100, validity: 50, timeliness: 0 });
    expect(consistency).toBeCloseTo(50 / 3.5, 12);
    expect(score.overall).toBeCloseTo(25 + 25 + 50 * 0.2 + (50 / 3.5) * 0.15, 12);
    expect(score.checks_passed).toBe(6);
    expect(score.checks_failed).toBe(3);
    expect(score.dbt_tests_passed).toBe(2);
    expect(score.dbt_tests_failed).toBe(1);
    expect(score.model_name).toBe("orders");
  });

  it("keeps the event loop turning while a million checks are scored on the pool", async () => {
    const bytes = encode(1_000_000);
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 1);
    try {
      const score = await pool.scoreRequest(bytes, now);
      expect(score.checks_passed + score.checks_failed).toBe(857_143);
      expect(ticks).toBeGreaterThanOrEqual(10);

      // The same batch inline: not one timer callback can run until it is done.
      ticks = 0;
      scoreEncodedRequest(bytes, now);
      expect(ticks).toBe(0);
    } finally {
      clearInterval(timer);
    }
  }, 120_000);

  it("returns an invalid config as FLOE-DQ100 from the worker", async () => {
    const bad = contract.QualityConfig.fromPartial({
      dimensionWeights: {
        completeness: 0.2,
        accuracy: 0.2,
        validity: 0.2,
        consistency: 0.15,
        timeliness: 0.15,
      },
    });
    const bytes = encode(2_000, bad);
    expect(pool.placement(bytes.byteLength)).toBe("pool");
    const error = await pool.scoreRequest(bytes, now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FloeError);
    expect((error as FloeError).code).toBe("FLOE-DQ100");
    expect((error as FloeError).message).toContain("sum to 0.9");
  });
});
