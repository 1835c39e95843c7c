import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type QualityCheck, QualityCheckSchema } from "../src/config/check.js";
import { QualityGatesSchema } from "../src/config/quality.js";
import {
  checkedColumns,
  evaluateGates,
  type GatedModel,
  testCoverage,
} from "../src/gates/index.js";

const gates = QualityGatesSchema.parse({});

let checks = 0;
function check(fields: Record<string, unknown>): QualityCheck {
  checks += 1;
  return QualityCheckSchema.parse({ name: `check_${checks}`, ...fields });
}

function model(
  tier: GatedModel["tier"],
  columns: string[] | undefined,
  checks: QualityCheck[],
): GatedModel {
  return { name: "orders", tier, columns, quality_checks: checks };
}

describe("checkedColumns", () => {
  it("counts column parameters of the vocabulary as covered columns", () => {
    expect(
      checkedColumns(check({ type: "compound_unique", parameters: { columns: ["a", "b"] } })),
    ).toEqual(["a", "b"]);
    expect(
      checkedColumns(
        check({
          type: "pair_greater_than",
          parameters: { column_a: "shipped", column_b: "ordered" },
        }),
      ),
    ).toEqual(["shipped", "ordered"]);
    expect(checkedColumns(check({ type: "unique", column: "id" }))).toEqual(["id"]);
    expect(
      checkedColumns(check({ type: "row_count_between", parameters: { min_value: 1 } })),
    ).toEqual([]);
  });
});

describe("testCoverage", () => {
  it("is the percent of the model's columns with at least one enabled check", () => {
    const m = model(
      "bronze",
      ["id", "status", "amount"],
      [
        check({ type: "not_null", column: "id" }),
        check({ type: "unique", column: "id" }),
        check({ type: "accepted_values", column: "status", parameters: { values: ["a"] } }),
        check({ type: "between", column: "amount", enabled: false, parameters: { min_value: 0 } }),
      ],
    );
    expect(testCoverage(m)).toBe((100 * 2) / 3);
  });

  it("ignores checks on columns outside the model's list", () => {
    expect(
      testCoverage(model("bronze", ["id", "x"], [check({ type: "unique", column: "nope" })])),
    ).toBe(0);
  });

  it("with unknown columns, counts over the columns the enabled checks name", () => {
    expect(
      testCoverage(model("bronze", undefined, [check({ type: "unique", column: "id" })])),
    ).toBe(100);
    expect(
      testCoverage(
        model("bronze", undefined, [
          check({ type: "row_count_between", parameters: { max_value: 9 } }),
        ]),
      ),
    ).toBe(0);
  });

  it("a model without columns covers 0 %", () => {
    expect(testCoverage(model("bronze", [], []))).toBe(0);
  });
});

describe("evaluateGates", () => {
  it("silver passes at 80 % coverage with not_null and unique", () => {
    const m = model(
      "silver",
      ["id", "a", "b", "c", "d"],
      [
        check({ type: "not_null", column: "id" }),
        check({ type: "unique", column: "id" }),
        check({ type: "not_null", column: "a" }),
        check({ type: "compound_unique", parameters: { columns: ["b", "c"] } }),
      ],
    );
    expect(evaluateGates(m, gates)).toEqual({
      passed: true,
      tier: "silver",
      coverage_actual: 80,
      coverage_required: 80,
      missing_tests: [],
      violations: [],
      model_name: "orders",
    });
  });

  it("gold fails with coverage below 100 and the missing required types, in the tier's order", () => {
    const m = model(
      "gold",
      ["id", "email", "country"],
      [
        check({ type: "expect_column_values_to_not_be_null", column: "id" }),
        check({
          type: "ExpectColumnValuesToBeInSet",
          column: "country",
          parameters: { value_set: ["SE"] },
        }),
        check({ type: "unique", column: "email", enabled: false }),
      ],
    );
    expect(evaluateGates(m, gates)).toEqual({
      passed: false,
      tier: "gold",
      coverage_actual: (100 * 2) / 3,
      coverage_required: 100,
      missing_tests: ["unique", "relationships"],
      violations: [
        "test coverage 66.67% is below the gold gate's 100%",
        "the gold gate requires check types missing here: unique, relationships",
      ],
      model_name: "orders",
    });
  });

  it("bronze passes with no checks at all", () => {
    expect(evaluateGates(model("bronze", ["id"], []), gates)).toMatchObject({
      passed: true,
      coverage_actual: 0,
      coverage_required: 0,
    });
  });

  it("uses the configured tier, not the defaults", () => {
    const strict = QualityGatesSchema.parse({ bronze: { required_tests: ["row_count_between"] } });
    expect(evaluateGates(model("bronze", ["id"], []), strict).missing_tests).toEqual([
      "row_count_between",
    ]);
  });
});

describe("coverage properties", () => {
  const COLUMNS = ["a", "b", "c", "d", "e"];
  const columnCheck = fc
    .record({ column: fc.constantFrom(...COLUMNS, "zz"), enabled: fc.boolean() })
    .map(({ column, enabled }) => check({ type: "not_null", column, enabled }));
  const columns = fc.option(fc.subarray(COLUMNS), { nil: undefined });

  it("is a percentage, and one more enabled check never lowers it", () => {
    fc.assert(
      fc.property(
        columns,
        fc.array(columnCheck, { maxLength: 8 }),
        columnCheck,
        (cols, checks, extra) => {
          const before = testCoverage(model("bronze", cols, checks));
          expect(before).toBeGreaterThanOrEqual(0);
          expect(before).toBeLessThanOrEqual(100);
          if (cols === undefined) return;
          const after = testCoverage(
            model("bronze", cols, [...checks, { ...extra, enabled: true }]),
          );
          expect(after).toBeGreaterThanOrEqual(before);
        },
      ),
    );
  });

  it("disabling a check never raises coverage", () => {
    fc.assert(
      fc.property(
        columns,
        fc.array(columnCheck, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (cols, checks, i) => {
          const index = i % checks.length;
          const disabled = checks.map((c, j) => (j === index ? { ...c, enabled: false } : c));
          expect(testCoverage(model("bronze", cols ?? COLUMNS, disabled))).toBeLessThanOrEqual(
            testCoverage(model("bronze", cols ?? COLUMNS, checks)),
          );
        },
      ),
    );
  });
});
