// Failing samples (capabilities.failing_samples): RunOptions.max_failing_samples
// bounds the values shown in details.failing_samples and 0 disables them; a
// column listed in RunOptions.sensitive_columns is never sampled.
import type { contract } from "@floe/quality-sdk";
import {
  capabilitiesOf,
  declares,
  needsFixture,
  primaryFixture,
  type SuiteContext,
} from "../context.js";
import { SAMPLED_CHECK } from "../fixture/data.js";
import { customersRelation } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, fail } from "../framework.js";
import { checkOf, runRequest, statusName, suiteOf } from "../requests.js";
import { runChecks } from "../rpc.js";
import { RUN_DEADLINE_MS } from "./run-checks.js";

const CHECK_NAME = "sampled_status";
const FAILING: readonly string[] = SAMPLED_CHECK.failingValues;

function needsSamples(ctx: SuiteContext): string | undefined {
  const problem = needsFixture(ctx);
  if (problem !== undefined) return problem;
  if (capabilitiesOf(ctx)?.failingSamples !== true)
    return "capabilities.failing_samples is not claimed";
  if (!declares(ctx, SAMPLED_CHECK.type))
    return `${SAMPLED_CHECK.type} (the sampled check) is not declared`;
  return undefined;
}

/** The sampled check's failed result under these run options. */
async function sampledResult(
  ctx: SuiteContext,
  options: contract.RunOptions,
): Promise<contract.QualityCheckResult> {
  const fixture = primaryFixture(ctx);
  const check = checkOf({
    name: CHECK_NAME,
    type: SAMPLED_CHECK.type,
    column: SAMPLED_CHECK.column,
    parameters: { ...SAMPLED_CHECK.parameters, values: [...SAMPLED_CHECK.parameters.values] },
    expected: { passed: false },
    about: "status must be 'active'",
  });
  const request = {
    ...runRequest(fixture, customersRelation(fixture), suiteOf([check])),
    options,
  };
  const outcome = await runChecks(await ctx.clients(), request, RUN_DEADLINE_MS);
  const what = `RunChecks with ${JSON.stringify(options)}`;
  if (outcome.error !== undefined)
    fail(what, "a result and a summary", `${outcome.error.grpcCodeName}: ${outcome.error.message}`);
  const result = outcome.results.find((r) => r.checkName === CHECK_NAME);
  if (result === undefined) fail(what, `a result for ${CHECK_NAME}`, "no result");
  // Only the verdict: its exact counts are run-checks' to judge, not this group's.
  expectEqual(
    `${what}: status of the sampled check`,
    "CHECK_STATUS_FAILED",
    statusName(result.status),
  );
  return result;
}

/** The value a sample shows for the sampled column: a string, or an object keyed by column. */
function shownValue(sample: unknown): unknown {
  if (sample !== null && typeof sample === "object" && !Array.isArray(sample))
    return (sample as Record<string, unknown>)[SAMPLED_CHECK.column];
  return sample;
}

/** details.failing_samples as a list; absent means none. */
function samplesOf(what: string, result: contract.QualityCheckResult): unknown[] {
  const samples: unknown = result.details?.failing_samples;
  if (samples === undefined || samples === null) return [];
  if (!Array.isArray(samples)) fail(what, "details.failing_samples as a list", samples);
  return samples;
}

export const failingSamplesGroup: ConformanceGroup = {
  name: "failing-samples",
  about:
    "max_failing_samples bounds details.failing_samples (0: none); sensitive columns are never sampled",
  requires: needsSamples,
  tests: [
    {
      name: "max_failing_samples bounds the failing samples, and 0 disables them",
      async run(ctx) {
        const none = samplesOf(
          "samples with max_failing_samples 0",
          await sampledResult(ctx, { maxFailingSamples: 0, sensitiveColumns: [] }),
        );
        expectEqual("details.failing_samples with max_failing_samples 0", [], none);
        for (const limit of [1, 2, 5]) {
          const what = `details.failing_samples with max_failing_samples ${limit}`;
          const samples = samplesOf(
            what,
            await sampledResult(ctx, { maxFailingSamples: limit, sensitiveColumns: [] }),
          );
          if (samples.length === 0 || samples.length > limit)
            fail(what, `between 1 and ${limit} samples`, samples);
          const strangers = samples.filter((s) => !FAILING.includes(shownValue(s) as string));
          expectEqual(`${what}: samples that are not failing values of status`, [], strangers);
        }
      },
    },
    {
      name: "never samples a sensitive column",
      async run(ctx) {
        const result = await sampledResult(ctx, {
          maxFailingSamples: 5,
          sensitiveColumns: [SAMPLED_CHECK.column],
        });
        const shown = JSON.stringify({ details: result.details, message: result.errorMessage });
        expectEqual(
          `failing values of the sensitive column ${SAMPLED_CHECK.column} in the result's details or message`,
          [],
          FAILING.filter((v) => shown.includes(v)),
        );
      },
    },
  ],
};
