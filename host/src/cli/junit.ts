// JUnit XML for CI: one <testsuite> per model, one <testcase> per check and dbt
// test. A failed check is a <failure>, a check that could not run an <error>
// (with its cause), a skipped one <skipped/>. Built with fast-xml-parser, which
// escapes every name and value.
import { XMLBuilder } from "fast-xml-parser";
import type { QualityCheckResult } from "../config/results.js";
import { formatScore } from "../gates/verdict.js";
import type { CheckError, QualityRunOutcome } from "../runtime/index.js";
import { storedOutcome } from "../runtime/index.js";

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function testcase(
  check: QualityCheckResult,
  classname: string,
  error: CheckError | undefined,
): Record<string, unknown> {
  const attributes = {
    "@_name": check.check_name,
    "@_classname": classname,
    "@_time": seconds(check.execution_time_ms),
  };
  if (check.status === "skipped") {
    return { ...attributes, skipped: { "@_message": check.error_message ?? "skipped" } };
  }
  if (error !== undefined) {
    return {
      ...attributes,
      error: {
        "@_message": `${error.cause}${error.retryable ? " (retryable)" : ""}: ${error.message}`,
        "@_type": error.code,
        "#text": error.fix,
      },
    };
  }
  if (check.status === "failed") {
    const observed = check.details.observed_value;
    const samples = check.details.failing_samples;
    const lines = [
      `${check.records_failed} of ${check.records_checked} records failed`,
      ...(observed === undefined ? [] : [`observed: ${JSON.stringify(observed)}`]),
      ...(Array.isArray(samples)
        ? [`samples: ${samples.map((s) => JSON.stringify(s)).join(", ")}`]
        : []),
    ];
    return {
      ...attributes,
      failure: {
        "@_message": `${check.check_type ?? "check"} failed: ${check.records_failed} record(s)`,
        "@_type": "FLOE-DQ102",
        "#text": lines.join("\n"),
      },
    };
  }
  return attributes;
}

/** The JUnit document of one or more model runs (samples as they may be stored). */
export function junitReport(product: string, runs: readonly QualityRunOutcome[]): string {
  const suites = runs.map((run) => {
    const outcome = storedOutcome(run);
    const errors = new Map(outcome.errors.map((e) => [`${e.source}:${e.check_name}`, e]));
    const cases = [
      ...outcome.suiteResult.checks.map((c) =>
        testcase(c, `${product}.${outcome.model}`, errors.get(`floe:${c.check_name}`)),
      ),
      ...outcome.dbtTests.map((t) =>
        testcase(t, `${product}.${outcome.model}.dbt`, errors.get(`dbt:${t.check_name}`)),
      ),
    ];
    const all = [...outcome.suiteResult.checks, ...outcome.dbtTests];
    return {
      "@_name": outcome.model,
      "@_tests": all.length,
      "@_failures": all.filter((c) => c.status === "failed").length,
      "@_errors": outcome.errors.length,
      "@_skipped": all.filter((c) => c.status === "skipped").length,
      "@_time": seconds(all.reduce((t, c) => t + c.execution_time_ms, 0)),
      properties: {
        property: [
          { "@_name": "quality_tier", "@_value": outcome.qualityTier },
          { "@_name": "verdict", "@_value": outcome.verdict },
          {
            "@_name": "score",
            "@_value": outcome.score === null ? "" : formatScore(outcome.score.overall),
          },
        ],
      },
      testcase: cases,
    };
  });
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    format: true,
    suppressEmptyNode: true,
  });
  const body = builder.build({
    testsuites: {
      "@_name": `floe-quality ${product}`,
      "@_tests": suites.reduce((n, s) => n + s["@_tests"], 0),
      "@_failures": suites.reduce((n, s) => n + s["@_failures"], 0),
      "@_errors": suites.reduce((n, s) => n + s["@_errors"], 0),
      testsuite: suites,
    },
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}
