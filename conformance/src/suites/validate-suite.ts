// ValidateSuite: unknown types and bad parameters are FLOE-DQ101, a column the
// relation lacks is FLOE-DQ105, a good suite is accepted.
import type { contract } from "@floe/quality-sdk";
import {
  declares,
  needsFixture,
  needsRunningPlugin,
  primaryFixture,
  type SuiteContext,
} from "../context.js";
import { customersRelation, fixtureCases } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail, SkipTest } from "../framework.js";
import { checkOf, suiteOf } from "../requests.js";
import { validateSuite } from "../rpc.js";

async function validate(
  ctx: SuiteContext,
  checks: contract.QualityCheck[],
  withConnection: boolean,
): Promise<contract.ValidationResult> {
  const fixture = withConnection ? primaryFixture(ctx) : undefined;
  const response = await validateSuite(await ctx.clients(), {
    suite: suiteOf(checks),
    connection: fixture?.connection,
    relation: fixture === undefined ? "" : customersRelation(fixture),
  }).catch((error: Error) => fail("ValidateSuite", "a ValidateSuiteResponse", error.message));
  if (response.result === undefined) fail("ValidateSuite", "a result", "no result");
  return response.result;
}

function codesOf(result: contract.ValidationResult): string[] {
  return result.diagnostics.filter((d) => d.level !== "warning").map((d) => d.code);
}

/** Parameter sets the vocabulary rejects, for types that have required parameters. */
const BAD_PARAMETERS: readonly {
  type: string;
  column: string;
  parameters: Record<string, unknown>;
  why: string;
}[] = [
  { type: "accepted_values", column: "status", parameters: {}, why: "values is required" },
  { type: "between", column: "age", parameters: {}, why: "min_value or max_value is required" },
  { type: "regex", column: "code", parameters: {}, why: "regex is required" },
  {
    type: "row_count_between",
    column: "",
    parameters: { min_value: "ten" },
    why: "min_value must be an integer",
  },
  {
    type: "not_null",
    column: "email",
    parameters: { mostly: 7 },
    why: "mostly must be within [0, 1]",
  },
];

export const validateSuiteGroup: ConformanceGroup = {
  name: "validate-suite",
  about:
    "ValidateSuite: FLOE-DQ101 for unknown types and bad parameters, FLOE-DQ105 for missing columns",
  requires: needsRunningPlugin,
  tests: [
    {
      name: "accepts a suite of every declared check type on the fixture",
      requires: needsFixture,
      async run(ctx) {
        const checks = fixtureCases(primaryFixture(ctx))
          .filter((c) => declares(ctx, c.type) && c.name !== "ce_missing")
          .map((c) => checkOf(c));
        const result = await validate(ctx, checks, true);
        expectEqual(
          "diagnostics of a valid suite",
          [],
          result.diagnostics.filter((d) => d.level !== "warning"),
        );
        expectEqual("success", true, result.success);
      },
    },
    {
      name: "rejects an unknown check type with FLOE-DQ101",
      async run(ctx) {
        const check = checkOf({
          name: "mystery",
          type: "no_such_check_type",
          column: "email",
          parameters: {},
          expected: { passed: true },
          about: "",
        });
        const result = await validate(ctx, [check], false);
        expectEqual("success", false, result.success);
        expectTrue(
          "diagnostic codes",
          codesOf(result).includes("FLOE-DQ101"),
          "FLOE-DQ101",
          codesOf(result),
        );
      },
    },
    {
      name: "rejects bad parameters with FLOE-DQ101",
      async run(ctx) {
        const cases = BAD_PARAMETERS.filter((b) => declares(ctx, b.type));
        if (cases.length === 0)
          throw new SkipTest("declares none of the types with required parameters");
        // Each case alone, so one rejected case cannot hide an accepted one.
        const accepted: string[] = [];
        for (const bad of cases) {
          const check = checkOf({
            name: "bad_parameters",
            ...bad,
            expected: { passed: true },
            about: bad.why,
          });
          const result = await validate(ctx, [check], false);
          if (result.success || !codesOf(result).includes("FLOE-DQ101"))
            accepted.push(
              `${bad.type} ${JSON.stringify(bad.parameters)} (${bad.why}): success=${result.success}, codes=${JSON.stringify(codesOf(result))}`,
            );
        }
        expectEqual("bad parameter sets not rejected with FLOE-DQ101", [], accepted);
      },
    },
    {
      name: "rejects a column the relation lacks with FLOE-DQ105",
      requires: needsFixture,
      async run(ctx) {
        const type = ["not_null", "accepted_values", "unique", "between"].find((t) =>
          declares(ctx, t),
        );
        if (type === undefined)
          throw new SkipTest("declares none of not_null, accepted_values, unique, between");
        const base = fixtureCases(primaryFixture(ctx)).find((c) => c.type === type)!;
        const check = checkOf({ ...base, name: "ghost_column", column: "no_such_column" });
        const result = await validate(ctx, [check], true);
        expectEqual("success", false, result.success);
        expectTrue(
          "diagnostic codes",
          codesOf(result).includes("FLOE-DQ105"),
          "FLOE-DQ105",
          codesOf(result),
        );
      },
    },
  ],
};
