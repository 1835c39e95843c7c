// The suite's own small test framework: groups of named tests, capability gates
// that skip visibly with a reason, failures that carry what was expected and what
// came back, and a runner that never waits forever.
import { isDeepStrictEqual } from "node:util";
import type { SuiteContext } from "./context.js";

/** A test either throws an ExpectationFailure, or passes. */
export class ExpectationFailure extends Error {
  readonly expected: string;
  readonly actual: string;

  constructor(message: string, expected: unknown, actual: unknown) {
    super(message);
    this.name = "ExpectationFailure";
    this.expected = show(expected);
    this.actual = show(actual);
  }
}

/** A test that cannot apply to this plugin; reported as skipped with the reason. */
export class SkipTest extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "SkipTest";
  }
}

function show(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

export function expectEqual(what: string, expected: unknown, actual: unknown): void {
  if (!isDeepStrictEqual(expected, actual)) throw new ExpectationFailure(what, expected, actual);
}

export function expectTrue(
  what: string,
  condition: boolean,
  expected: string,
  actual: unknown,
): void {
  if (!condition) throw new ExpectationFailure(what, expected, actual);
}

export function fail(what: string, expected: string, actual: unknown): never {
  throw new ExpectationFailure(what, expected, actual);
}

export interface ConformanceTest {
  readonly name: string;
  /** A reason to skip this test for this plugin, or undefined to run it. */
  requires?(ctx: SuiteContext): string | undefined;
  run(ctx: SuiteContext): Promise<void>;
  /** Longest the test may take; default 30 s. */
  readonly timeoutMs?: number;
}

export interface ConformanceGroup {
  readonly name: string;
  readonly about: string;
  /** A reason to skip the whole group, or undefined. */
  requires?(ctx: SuiteContext): string | undefined;
  readonly tests: readonly ConformanceTest[];
}

export type TestStatus = "passed" | "failed" | "skipped";

export interface TestOutcome {
  readonly group: string;
  readonly name: string;
  /** `group › name`, what --focus and --skip match. */
  readonly id: string;
  readonly status: TestStatus;
  readonly durationMs: number;
  /** Why a test was skipped. */
  readonly reason?: string;
  readonly failure?: { message: string; expected?: string; actual?: string };
}

export function testId(group: string, name: string): string {
  return `${group} › ${name}`;
}

export interface Selection {
  readonly focus: readonly RegExp[];
  readonly skip: readonly RegExp[];
}

/** Why a test is left out by --focus / --skip, or undefined when it is selected. */
export function deselectionReason(id: string, selection: Selection): string | undefined {
  if (selection.focus.length > 0 && !selection.focus.some((p) => p.test(id)))
    return "not selected by --focus";
  const skipped = selection.skip.find((p) => p.test(id));
  return skipped === undefined ? undefined : `excluded by --skip ${skipped.source}`;
}

const DEFAULT_TIMEOUT_MS = 30_000;

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ExpectationFailure(
            `the test did not finish within ${ms / 1000} s`,
            `an answer within ${ms / 1000} s`,
            "no answer (the plugin hangs)",
          ),
        ),
      ms,
    );
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one test; every way it can end becomes an outcome. */
export async function runTest(
  group: ConformanceGroup,
  test: ConformanceTest,
  ctx: SuiteContext,
): Promise<TestOutcome> {
  const id = testId(group.name, test.name);
  const base = { group: group.name, name: test.name, id };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const reason = test.requires?.(ctx);
  if (reason !== undefined) return { ...base, status: "skipped", durationMs: 0, reason };
  try {
    await withTimeout(test.run(ctx), test.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return { ...base, status: "passed", durationMs: elapsed() };
  } catch (error) {
    if (error instanceof SkipTest)
      return { ...base, status: "skipped", durationMs: elapsed(), reason: error.message };
    if (error instanceof ExpectationFailure) {
      return {
        ...base,
        status: "failed",
        durationMs: elapsed(),
        failure: { message: error.message, expected: error.expected, actual: error.actual },
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, status: "failed", durationMs: elapsed(), failure: { message } };
  }
}
