// The report: for people (text), for machines (JSON, documented in
// docs/conformance.md) and for CI (JUnit XML). Pure functions of the outcomes.
import type { contract } from "@floe/quality-sdk";
import type { TestOutcome } from "./framework.js";

export const REPORT_FORMAT = "floe-quality-conformance/v1";

export interface ConformanceReport {
  readonly format: typeof REPORT_FORMAT;
  /** What was tested: the command or address. */
  readonly target: string;
  readonly plugin: {
    readonly name: string;
    readonly version: string;
    readonly floe_api_version: string;
    readonly dialects: readonly string[];
    readonly check_types: readonly string[];
    readonly fail_fast: boolean;
    readonly cancellation: boolean;
  } | null;
  /** The dialect of the semantics groups, or null when none could be used. */
  readonly dialect: string | null;
  /** Why the plugin could not be started, when it could not. */
  readonly startup_problem: string | null;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly passed: boolean;
  readonly totals: { readonly passed: number; readonly failed: number; readonly skipped: number };
  readonly groups: readonly ReportGroup[];
}

export interface ReportGroup {
  readonly name: string;
  readonly about: string;
  readonly totals: { readonly passed: number; readonly failed: number; readonly skipped: number };
  readonly tests: readonly ReportTest[];
}

export interface ReportTest {
  readonly id: string;
  readonly name: string;
  readonly status: "passed" | "failed" | "skipped";
  readonly duration_ms: number;
  readonly reason?: string;
  readonly failure?: {
    readonly message: string;
    readonly expected?: string;
    readonly actual?: string;
  };
}

function totalsOf(tests: readonly { status: string }[]) {
  return {
    passed: tests.filter((t) => t.status === "passed").length,
    failed: tests.filter((t) => t.status === "failed").length,
    skipped: tests.filter((t) => t.status === "skipped").length,
  };
}

export function buildReport(input: {
  target: string;
  metadata: contract.GetMetadataResponse | undefined;
  dialect: string | undefined;
  startupProblem: string | undefined;
  startedAt: Date;
  durationMs: number;
  groups: readonly { name: string; about: string; outcomes: readonly TestOutcome[] }[];
}): ConformanceReport {
  const groups: ReportGroup[] = input.groups.map((g) => {
    const tests = g.outcomes.map(
      (o): ReportTest => ({
        id: o.id,
        name: o.name,
        status: o.status,
        duration_ms: o.durationMs,
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        ...(o.failure !== undefined ? { failure: o.failure } : {}),
      }),
    );
    return { name: g.name, about: g.about, totals: totalsOf(tests), tests };
  });
  const all = groups.flatMap((g) => g.tests);
  const totals = totalsOf(all);
  const m = input.metadata;
  return {
    format: REPORT_FORMAT,
    target: input.target,
    plugin:
      m === undefined
        ? null
        : {
            name: m.name,
            version: m.version,
            floe_api_version: m.floeApiVersion,
            dialects: m.capabilities?.dialects ?? [],
            check_types: m.capabilities?.checkTypes ?? [],
            fail_fast: m.capabilities?.failFast ?? false,
            cancellation: m.capabilities?.cancellation ?? false,
          },
    dialect: input.dialect ?? null,
    startup_problem: input.startupProblem ?? null,
    started_at: input.startedAt.toISOString(),
    duration_ms: Math.round(input.durationMs),
    // A run where nothing ran (a --focus that matches nothing) proves nothing.
    passed: totals.failed === 0 && totals.passed > 0 && input.startupProblem === undefined,
    totals,
    groups,
  };
}

const MARK = { passed: "ok  ", failed: "FAIL", skipped: "skip" } as const;

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((l) => prefix + l)
    .join("\n");
}

export function renderText(report: ConformanceReport): string {
  const out: string[] = [];
  const p = report.plugin;
  out.push(`floe-quality conformance: ${report.target}`);
  if (p !== null) {
    out.push(
      `plugin ${p.name} ${p.version} (floe_api_version ${p.floe_api_version}); dialects: ${p.dialects.join(", ") || "none"}; check types: ${p.check_types.length}`,
    );
  }
  if (report.startup_problem !== null)
    out.push(`could not start the plugin: ${report.startup_problem}`);
  out.push(`semantics dialect: ${report.dialect ?? "none"}`, "");
  for (const g of report.groups) {
    const t = g.totals;
    out.push(
      `${g.name} — ${g.about}  (${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped)`,
    );
    for (const test of g.tests) {
      const time = test.status === "skipped" ? "" : `  ${test.duration_ms} ms`;
      out.push(`  ${MARK[test.status]} ${test.name}${time}`);
      if (test.reason !== undefined) out.push(`       reason: ${test.reason}`);
      if (test.failure !== undefined) {
        out.push(indent(test.failure.message, "       "));
        if (test.failure.expected !== undefined)
          out.push(indent(`expected: ${test.failure.expected}`, "       "));
        if (test.failure.actual !== undefined)
          out.push(indent(`actual:   ${test.failure.actual}`, "       "));
      }
    }
    out.push("");
  }
  const t = report.totals;
  out.push(
    `${report.passed ? "PASS" : "FAIL"}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped in ${(report.duration_ms / 1000).toFixed(1)} s`,
  );
  return out.join("\n");
}

function xml(text: string): string {
  return (
    text
      // XML 1.0 forbids most control characters even when escaped.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;")
      .replaceAll("'", "&apos;")
  );
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJUnit(report: ConformanceReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const t = report.totals;
  out.push(
    `<testsuites name="floe-quality-conformance" tests="${t.passed + t.failed + t.skipped}" failures="${t.failed}" errors="0" skipped="${t.skipped}" time="${seconds(report.duration_ms)}">`,
  );
  for (const g of report.groups) {
    const time = g.tests.reduce((sum, test) => sum + test.duration_ms, 0);
    out.push(
      `  <testsuite name="${xml(g.name)}" tests="${g.tests.length}" failures="${g.totals.failed}" errors="0" skipped="${g.totals.skipped}" time="${seconds(time)}" timestamp="${report.started_at.slice(0, 19)}">`,
    );
    for (const test of g.tests) {
      const open = `    <testcase classname="conformance.${xml(g.name)}" name="${xml(test.name)}" time="${seconds(test.duration_ms)}"`;
      if (test.status === "passed") {
        out.push(`${open}/>`);
      } else if (test.status === "skipped") {
        out.push(
          `${open}>`,
          `      <skipped message="${xml(test.reason ?? "")}"/>`,
          "    </testcase>",
        );
      } else {
        const f = test.failure!;
        const body = [
          f.message,
          f.expected && `expected: ${f.expected}`,
          f.actual && `actual:   ${f.actual}`,
        ]
          .filter(Boolean)
          .join("\n");
        out.push(
          `${open}>`,
          `      <failure message="${xml(f.message)}" type="ExpectationFailure">${xml(body)}</failure>`,
          "    </testcase>",
        );
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
