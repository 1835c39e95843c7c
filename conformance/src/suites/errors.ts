// FLOE-DQ errors on the wire: a RunChecks request whose suite names two checks
// alike must fail with FLOE-DQ101 before any result [P-42]; that failure carries
// one google.rpc.ErrorInfo (reason FLOE-DQ101, domain floe.dev) in
// grpc-status-details-bin [P-29] and travels under the gRPC code the SDK's one
// mapping gives FLOE-DQ101 [P-30].
import {
  type DecodedStatusDetails,
  ERROR_DOMAIN,
  ERROR_INFO_TYPE_URL,
  type FloeErrorCode,
  grpcCodeFor,
  isFloeErrorCode,
} from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import { declaredCheckTypes, needsFixture, primaryFixture, type SuiteContext } from "../context.js";
import { customersRelation, fixtureCases } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, fail, SkipTest } from "../framework.js";
import { checkOf, runRequest, suiteOf } from "../requests.js";
import { type RunOutcome, runChecks } from "../rpc.js";
import { RUN_DEADLINE_MS } from "./run-checks.js";

/** The FLOE-DQ code P-42 asks for. */
const EXPECTED_CODE: FloeErrorCode = "FLOE-DQ101";
const TWICE = "named_twice";

let cached: { key: unknown; outcome: RunOutcome } | undefined;

/** One run of a suite of two declared checks that share a name. */
async function duplicateRun(ctx: SuiteContext): Promise<RunOutcome> {
  if (cached?.key === ctx) return cached.outcome;
  const fixture = primaryFixture(ctx);
  const declared = new Set(declaredCheckTypes(ctx));
  const cases = fixtureCases(fixture).filter((c) => declared.has(c.type));
  if (cases.length === 0) fail("the fixture", "a case of a declared check type", "none");
  const first = cases[0]!;
  const second = cases.find((c) => c.type !== first.type) ?? first;
  const suite = suiteOf([checkOf(first, { name: TWICE }), checkOf(second, { name: TWICE })]);
  const outcome = await runChecks(
    await ctx.clients(),
    runRequest(fixture, customersRelation(fixture), suite),
    RUN_DEADLINE_MS,
  );
  cached = { key: ctx, outcome };
  return outcome;
}

/** The refusal's error; a run that was not refused is the first test's failure, not every test's. */
async function refusal(ctx: SuiteContext): Promise<NonNullable<RunOutcome["error"]>> {
  const outcome = await duplicateRun(ctx);
  if (outcome.error === undefined)
    throw new SkipTest(
      "the request was not refused, so there is no error to inspect (see errors › refuses a suite that names two checks alike with an error, before any result)",
    );
  return outcome.error;
}

export const errorsGroup: ConformanceGroup = {
  name: "errors",
  about:
    "a suite naming two checks alike is refused with FLOE-DQ101: google.rpc.ErrorInfo (domain floe.dev) and the documented gRPC code",
  requires: needsFixture,
  tests: [
    {
      name: "refuses a suite that names two checks alike with an error, before any result",
      async run(ctx) {
        const outcome = await duplicateRun(ctx);
        expectEqual(
          "how RunChecks ended for a suite naming two checks alike",
          { refused: true, results: 0, summary: false },
          {
            refused: outcome.error !== undefined,
            results: outcome.results.length,
            summary: outcome.summary !== undefined,
          },
        );
      },
    },
    {
      name: "carries one google.rpc.ErrorInfo with reason FLOE-DQ101 and domain floe.dev",
      async run(ctx) {
        const error = await refusal(ctx);
        const details = error.statusDetails;
        if (details.length !== 1)
          fail(
            "grpc-status-details-bin values in the trailers",
            "exactly one google.rpc.Status",
            details.length === 0 ? "none" : details,
          );
        const decoded = details[0]!;
        if (typeof decoded === "string")
          fail("grpc-status-details-bin", "the bytes of a google.rpc.Status", decoded);
        const shape = (d: DecodedStatusDetails) => ({
          code: d.code,
          message: d.message,
          details: d.details.map((any) => ({
            type_url: any.typeUrl,
            reason: any.errorInfo?.reason,
            domain: any.errorInfo?.domain,
          })),
        });
        expectEqual(
          "the google.rpc.Status in grpc-status-details-bin",
          {
            code: error.grpcCode,
            message: error.message,
            details: [
              { type_url: ERROR_INFO_TYPE_URL, reason: EXPECTED_CODE, domain: ERROR_DOMAIN },
            ],
          },
          shape(decoded),
        );
      },
    },
    {
      name: "travels under the gRPC status code documented for its FLOE-DQ code",
      async run(ctx) {
        const error = await refusal(ctx);
        // The code the ErrorInfo names when it names one of the catalogue, else the one P-42 asks for.
        const code =
          error.floeCode !== undefined && isFloeErrorCode(error.floeCode)
            ? error.floeCode
            : EXPECTED_CODE;
        const expected = grpcCodeFor(code);
        expectEqual(
          `gRPC status code of a ${code} failure`,
          status[expected] ?? String(expected),
          error.grpcCodeName,
        );
      },
    },
  ],
};
