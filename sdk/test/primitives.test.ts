// The SDK primitives against the shared vectors (sdk/vectors/*.json), which the
// Python SDK's tests read too: one meaning per rule in both languages.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkStatusFromWire,
  checkStatusToWire,
  conditionColumns,
  conditionToSql,
  dimensionFromWire,
  dimensionToWire,
  displayRelation,
  intervalText,
  normalizeParameters,
  parseIsoDuration,
  parseRelation,
  parseRowCondition,
  quoteIdentifier,
  quoteRelation,
  quoteSparkIdentifier,
  RelationNameError,
  RowConditionError,
  relationParts,
  severityFromWire,
  severityToWire,
  sqlLiteral,
  storedIdentifier,
  subtractDuration,
} from "../src/index.js";

const vectors = (name: string) =>
  JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));
const primitives = vectors("primitives.json");
const conditions = vectors("row-conditions.json");

describe("relation names", () => {
  for (const c of primitives.relations) {
    it(`parses ${JSON.stringify(c.text)} into its parts, quotes and displays it`, () => {
      const r = parseRelation(c.text);
      expect([r.database ?? null, r.schema ?? null, r.identifier]).toEqual(c.parts);
      expect(quoteRelation(r)).toBe(c.quoted_exact ?? c.quoted);
      expect(displayRelation(r)).toBe(c.display);
      expect(parseRelation(displayRelation(r))).toEqual(r);
    });
  }
  it("round-trips any parts through quoting and display", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1 }).filter((s) => !s.includes("\u0000") && s.trim() === s),
          { minLength: 1, maxLength: 3 },
        ),
        (parts) => {
          const relation = parseRelation(parts.map((p) => quoteIdentifier(p)).join("."));
          expect(relationParts(relation)).toEqual(parts);
          expect(relationParts(parseRelation(displayRelation(relation)))).toEqual(parts);
        },
      ),
    );
  });
  for (const text of primitives.bad_relations) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(() => parseRelation(text)).toThrow(RelationNameError);
    });
  }
});

describe("identifiers", () => {
  for (const c of primitives.identifiers) {
    it(`quotes ${JSON.stringify(c.name)} in both dialects`, () => {
      expect(quoteIdentifier(c.name, "duckdb")).toBe(c.quoted);
      expect(quoteIdentifier(c.name, "postgres")).toBe(c.quoted);
    });
  }
  it("refuses NUL", () => expect(() => quoteIdentifier("a\u0000b")).toThrow(/NUL/));
  for (const c of primitives.spark_identifiers) {
    it(`back-quotes ${JSON.stringify(c.name)} for Spark SQL`, () => {
      expect(quoteSparkIdentifier(c.name)).toBe(c.quoted);
    });
  }
  for (const c of primitives.stored_identifiers) {
    it(`stores ${c.name.slice(0, 12)}… on ${c.dialect} as the database does`, () => {
      expect(storedIdentifier(c.name, c.dialect)).toBe(c.stored);
    });
  }
});

describe("ISO-8601 durations", () => {
  for (const c of primitives.durations) {
    it(`${c.text} is ${c.interval}`, () => {
      const parts = parseIsoDuration(c.text);
      expect(parts).toEqual({ months: c.months, days: c.days, seconds: c.seconds });
      expect(intervalText(parts)).toBe(c.interval);
    });
  }
  for (const text of primitives.bad_durations) {
    it(`refuses ${JSON.stringify(text)}`, () => expect(() => parseIsoDuration(text)).toThrow());
  }
  for (const c of primitives.cutoffs) {
    it(`${c.at} minus ${c.max_age} is ${c.cutoff} (calendar months)`, () => {
      expect(subtractDuration(new Date(c.at), parseIsoDuration(c.max_age)).toISOString()).toBe(
        c.cutoff,
      );
    });
  }
});

describe("wire enums", () => {
  it("map names to numbers and back, unknown numbers to undefined", () => {
    for (const [name, wire] of Object.entries(primitives.enums.dimension)) {
      expect(dimensionToWire(name as never)).toBe(wire);
      expect(dimensionFromWire(wire as number)).toBe(name);
    }
    for (const [name, wire] of Object.entries(primitives.enums.severity)) {
      expect(severityToWire(name as never)).toBe(wire);
      expect(severityFromWire(wire as number)).toBe(name);
    }
    for (const [name, wire] of Object.entries(primitives.enums.check_status)) {
      expect(checkStatusToWire(name as never)).toBe(wire);
      expect(checkStatusFromWire(wire as number)).toBe(name);
    }
    for (const wire of primitives.enums.unknown_wire) {
      expect([dimensionFromWire(wire), severityFromWire(wire), checkStatusFromWire(wire)]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    }
  });
});

describe("parameter spellings", () => {
  for (const c of primitives.parameters) {
    it(`normalizes ${JSON.stringify(c.written)}`, () => {
      expect(normalizeParameters(c.written)).toEqual(c.normalized);
    });
  }
});

describe("row_condition", () => {
  const writer = { ident: (n: string) => quoteIdentifier(n), value: sqlLiteral };
  for (const c of conditions.valid) {
    it(`${c.text} → ${c.sql}`, () => {
      const parsed = parseRowCondition(c.text);
      expect(conditionColumns(parsed)).toEqual(c.columns);
      expect(conditionToSql(parsed, writer)).toBe(c.sql);
    });
  }
  for (const c of conditions.invalid) {
    it(`refuses ${JSON.stringify(c.text)} at character ${c.offset}`, () => {
      let error: unknown;
      try {
        parseRowCondition(c.text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RowConditionError);
      expect((error as RowConditionError).offset).toBe(c.offset);
    });
  }
  it("refuses a condition nested deeper than 32 levels", () => {
    expect(() => parseRowCondition(`${"(".repeat(40)}x = 1${")".repeat(40)}`)).toThrow(
      /nested more than 32/,
    );
  });
});
