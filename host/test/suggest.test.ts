// The pure parts of `suggest`: the profile suite, reading its results, and the
// rules that turn a profile into checks measured against a tier's gate.
import { describe, expect, it } from "vitest";
import { QualityGatesSchema } from "../src/config/quality.js";
import type { QualityCheckResult } from "../src/config/results.js";
import {
  boundOf,
  type ColumnProfile,
  type ProfileRequest,
  profileSuite,
  readProfile,
  type TableProfile,
  valueKind,
} from "../src/suggest/profile.js";
import { suggestChecks } from "../src/suggest/rules.js";

const gates = QualityGatesSchema.parse({
  gold: { min_test_coverage: 100, required_tests: ["not_null", "unique", "relationships"] },
});

describe("valueKind", () => {
  it.each([
    ["INTEGER", "integer"],
    ["BIGINT", "integer"],
    ["smallint", "integer"],
    ["DOUBLE", "decimal"],
    ["DECIMAL(18,3)", "decimal"],
    ["double precision", "decimal"],
    ["numeric", "decimal"],
    ["VARCHAR", "text"],
    ["character varying", "text"],
    ["text", "text"],
    ["DATE", "date"],
    ["TIMESTAMP WITH TIME ZONE", "timestamp"],
    ["timestamp without time zone", "timestamp"],
    ["BOOLEAN", "boolean"],
    ["BLOB", "other"],
    ["interval", "other"],
  ])("%s is %s", (type, kind) => {
    expect(valueKind(type)).toBe(kind);
  });
});

describe("boundOf", () => {
  it("keeps numbers, reads numeric text, and writes dates and timestamps as SQL literals", () => {
    expect(boundOf("integer", 42)).toBe(42);
    expect(boundOf("decimal", "120.50")).toBe(120.5);
    expect(boundOf("decimal", "masked:0123456789abcdef")).toBeNull();
    expect(boundOf("date", "2024-01-05T00:00:00.000Z")).toBe("2024-01-05");
    expect(boundOf("timestamp", "2026-11-29T11:19:31.000Z")).toBe("2026-11-29 11:19:31");
    expect(boundOf("timestamp", "2026-11-29T11:19:31.250Z")).toBe("2026-11-29 11:19:31.250");
    expect(boundOf("timestamp", "2026-11-29 11:19:31")).toBe("2026-11-29 11:19:31");
    expect(boundOf("timestamp", "2026-11-29T11:19:31.000Z", true)).toBe(
      "2026-11-29 11:19:31+00:00",
    );
    expect(boundOf("date", null)).toBeNull();
  });
});

const request: ProfileRequest = {
  relation: "customers",
  columns: [
    { name: "customer_id", type: "INTEGER", kind: "integer" },
    { name: "referred_by", type: "INTEGER", kind: "integer" },
    { name: "segment", type: "VARCHAR", kind: "text" },
    { name: "active", type: "BOOLEAN", kind: "boolean" },
  ],
  foreignKeys: [
    { relation: "main.accounts", column: "account_id", kind: "integer" },
    { relation: "main.regions", column: "segment", kind: "text" },
  ],
};

describe("profileSuite", () => {
  const suite = profileSuite(request);

  it("names checks by position and measures each column by its kind", () => {
    expect(suite.checks.map((c) => c.name)).toEqual(suite.checks.map((_, i) => `profile_${i}`));
    const on = (column: string) =>
      suite.checks.filter((c) => c.column === column).map((c) => c.type);
    expect(on("customer_id")).toEqual([
      "not_null",
      "distinct_count_between",
      "min_between",
      "max_between",
    ]);
    expect(on("segment")).toEqual([
      "not_null",
      "distinct_count_between",
      "accepted_values",
      ...Array(8).fill("regex"),
      "relationships",
    ]);
    expect(on("active")).toEqual(["not_null", "distinct_count_between"]);
    expect(suite.checks[0]).toMatchObject({
      type: "row_count_between",
      parameters: { min_value: 0 },
    });
  });

  it("probes references of reference-like names, or of a key's own name, to keys of the same kind", () => {
    const references = suite.checks
      .filter((c) => c.type === "relationships")
      .map((c) => [c.column, c.parameters.to, c.parameters.field]);
    expect(references).toEqual([
      // A `_by` name may reference any integer key: the model's own columns and the other model's.
      // customer_id names neither an account nor referred_by.
      ["referred_by", "customers", "customer_id"],
      ["referred_by", "main.accounts", "account_id"],
      // segment is the name of main.regions' key.
      ["segment", "main.regions", "segment"],
    ]);
  });
});

describe("reference candidates", () => {
  it("match an `_id` name to the stem of a key, or of its relation for a bare id", () => {
    const suite = profileSuite({
      relation: "main.orders",
      columns: [
        { name: "id", type: "INTEGER", kind: "integer" },
        { name: "parent_order_id", type: "INTEGER", kind: "integer" },
        { name: "customer_id", type: "INTEGER", kind: "integer" },
      ],
      foreignKeys: [{ relation: "customers", column: "id", kind: "integer" }],
    });
    expect(
      suite.checks
        .filter((c) => c.type === "relationships")
        .map((c) => [c.column, c.parameters.to, c.parameters.field]),
    ).toEqual([
      ["parent_order_id", "main.orders", "id"],
      ["customer_id", "customers", "id"],
    ]);
  });
});

/** A passing result of profile check `index` with these counts and details. */
function result(
  index: number,
  fields: Partial<QualityCheckResult> = {},
  details: Record<string, unknown> = {},
): QualityCheckResult {
  return {
    check_name: `profile_${index}`,
    passed: true,
    dimension: "validity",
    severity: "warning",
    records_checked: 10,
    records_failed: 0,
    execution_time_ms: 1,
    details,
    error_message: null,
    custom_weight: null,
    status: "passed",
    error_code: null,
    check_type: "not_null",
    column: null,
    ...fields,
  };
}

describe("readProfile", () => {
  const suite = profileSuite(request);
  const at = (column: string, type: string, n = 0) =>
    suite.checks.findIndex(
      (c, i) =>
        c.column === column &&
        c.type === type &&
        suite.checks.slice(0, i).filter((x) => x.column === column && x.type === type).length === n,
    );

  function resultsWith(segmentSamples: unknown[], customerDistinct: number) {
    return [
      result(0, {}, { observed_value: 10 }),
      result(at("customer_id", "not_null")),
      result(at("customer_id", "distinct_count_between"), {}, { observed_value: customerDistinct }),
      result(at("customer_id", "min_between"), {}, { observed_value: 1 }),
      result(at("customer_id", "max_between"), {}, { observed_value: 10 }),
      result(at("referred_by", "not_null"), { records_failed: 4 }),
      result(at("referred_by", "distinct_count_between"), {}, { observed_value: 3 }),
      // No value to aggregate would be an error: the metric stays unknown.
      result(at("referred_by", "min_between"), { status: "error", passed: false }),
      result(at("segment", "distinct_count_between"), {}, { observed_value: 3 }),
      result(
        at("segment", "accepted_values"),
        { status: "failed", records_failed: 10 },
        { failing_samples: segmentSamples },
      ),
      result(at("segment", "regex", 5)),
      result(at("segment", "regex", 0), { status: "failed", records_failed: 10 }),
      result(at("referred_by", "relationships", 0)),
      result(at("referred_by", "relationships", 1), { status: "failed", records_failed: 2 }),
    ];
  }

  it("reads every metric, the complete value set, and the references that hold", () => {
    const profile = readProfile(request, suite, resultsWith(["retail", "b2b", "gov"], 10));
    expect(profile.rows).toBe(10);
    const [id, ref, segment] = profile.columns;
    expect(id).toMatchObject({ nulls: 0, distinct: 10, min: 1, max: 10 });
    expect(ref).toMatchObject({ nulls: 4, distinct: 3, min: null, max: null });
    expect(ref!.references).toEqual([
      { relation: "customers", column: "customer_id", kind: "integer" },
    ]);
    expect(segment).toMatchObject({ values: ["b2b", "gov", "retail"], patterns: ["lower_word"] });
  });

  it("keeps no value set when the samples miss a value the scan counted", () => {
    const profile = readProfile(request, suite, resultsWith(["retail", "b2b"], 10));
    expect(profile.columns[2]!.values).toBeNull();
  });

  it("drops a reference to the model's own column when that column is not a key", () => {
    const profile = readProfile(request, suite, resultsWith(["retail", "b2b", "gov"], 9));
    expect(profile.columns[1]!.references).toEqual([]);
  });
});

function column(fields: Partial<ColumnProfile> & Pick<ColumnProfile, "name" | "kind">) {
  return {
    type: "",
    nulls: 0,
    distinct: 0,
    min: null,
    max: null,
    values: null,
    patterns: [],
    references: [],
    ...fields,
  };
}

describe("suggestChecks", () => {
  const profile: TableProfile = {
    rows: 10,
    columns: [
      column({ name: "id", kind: "integer", distinct: 10, min: 1, max: 10 }),
      column({
        name: "tier",
        kind: "text",
        distinct: 2,
        values: ["a", "b"],
        patterns: ["lower_word", "trimmed_text"],
      }),
      column({ name: "flag", kind: "boolean", nulls: 3, distinct: 2 }),
      column({ name: "salary", kind: "decimal", distinct: 10, min: 1000, max: 9000 }),
    ],
  };
  const noSecrets = () => false;

  it("proposes checks per column and falls back to column_exists so coverage counts every column", () => {
    const s = suggestChecks(
      { model: "staff", tier: "silver", profile, sensitive: noSecrets },
      gates,
    );
    expect(s.checks).toEqual([
      {
        name: "staff_not_empty",
        type: "row_count_between",
        severity: "critical",
        parameters: { min_value: 1 },
      },
      { name: "id_not_null", type: "not_null", column: "id", severity: "critical" },
      { name: "id_unique", type: "unique", column: "id", severity: "critical" },
      {
        name: "id_range",
        type: "between",
        column: "id",
        parameters: { min_value: 1, max_value: 10 },
      },
      { name: "tier_not_null", type: "not_null", column: "tier" },
      {
        name: "tier_accepted",
        type: "accepted_values",
        column: "tier",
        parameters: { values: ["a", "b"] },
      },
      { name: "flag_exists", type: "column_exists", column: "flag" },
      { name: "salary_not_null", type: "not_null", column: "salary" },
      {
        name: "salary_range",
        type: "between",
        column: "salary",
        parameters: { min_value: 1000, max_value: 9000 },
      },
    ]);
    expect(s.reasons.tier_accepted).toBe(
      "2 distinct values (at most 10, each twice on average) in 10 rows",
    );
    expect(s.gate).toMatchObject({ passed: true, tier: "silver", coverage_actual: 100 });
  });

  it("writes no value of a sensitive column into floe.yaml", () => {
    const s = suggestChecks(
      { model: "staff", tier: "silver", profile, sensitive: (c) => c === "salary" || c === "tier" },
      gates,
    );
    const names = s.checks.map((c) => c.name);
    expect(names).not.toContain("salary_range");
    expect(names).not.toContain("tier_accepted");
    // A pattern says nothing about any one value: it stays.
    expect(s.checks.find((c) => c.name === "tier_format")).toEqual({
      name: "tier_format",
      type: "regex",
      column: "tier",
      parameters: { regex: "^[a-z][a-z0-9_]*$" },
    });
  });

  it("says which required check type no check the data passes can give (FLOE-DQ104's gate)", () => {
    const s = suggestChecks({ model: "staff", tier: "gold", profile, sensitive: noSecrets }, gates);
    expect(s.gate).toMatchObject({
      passed: false,
      tier: "gold",
      missing_tests: ["relationships"],
      violations: ["the gold gate requires check types missing here: relationships"],
    });
  });

  it("keeps check names unique when two references share a name", () => {
    const twice: TableProfile = {
      rows: 4,
      columns: [
        column({
          name: "owner",
          kind: "integer",
          nulls: 1,
          distinct: 2,
          min: 1,
          max: 2,
          references: [
            { relation: "main.people", column: "id", kind: "integer" },
            { relation: "archive.people", column: "id", kind: "integer" },
          ],
        }),
      ],
    };
    const s = suggestChecks(
      { model: "t", tier: "bronze", profile: twice, sensitive: noSecrets },
      gates,
    );
    expect(s.checks.map((c) => c.name)).toEqual([
      "t_not_empty",
      "owner_range",
      "owner_references_id",
      "owner_references_id_2",
    ]);
  });
});
