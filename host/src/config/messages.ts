// Sentences for zod issues, in the words a config author reads: what was expected,
// what was found, and a did-you-mean where one helps.
import type { z } from "zod";
import { didYouMean } from "./suggest.js";

export type PathSegment = string | number;

/** `models[0].quality_checks[2].column` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

type RawIssue = z.core.$ZodRawIssue;

/** The sentence for a zod issue; unknown keys also record what was allowed. */
export function issueMessage(
  issue: RawIssue,
  knownKeys?: Map<string, string[]>,
): string | undefined {
  const got = describe(issue.input);
  switch (issue.code) {
    case "unrecognized_keys": {
      const shape = (issue.inst as { shape?: Record<string, unknown> } | undefined)?.shape;
      const path = (issue.path ?? []).filter(
        (s): s is PathSegment => typeof s === "string" || typeof s === "number",
      );
      knownKeys?.set(formatPath(path), shape ? Object.keys(shape) : []);
      return "unknown key";
    }
    case "invalid_type":
      if (issue.input === undefined) return `missing required setting (${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${got}`;
    case "too_small":
      return tooSmall(issue, got);
    case "too_big":
      return tooBig(issue, got);
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v));
      const hint =
        typeof issue.input === "string" ? didYouMean(issue.input, issue.values.map(String)) : "";
      return `expected ${values.join(" or ")}, got ${got}${hint}`;
    }
    case "invalid_union": {
      const raw = issue as RawIssue & { discriminator?: string; options?: unknown[] };
      if (raw.discriminator) {
        const options = (raw.options ?? []).map((o) => JSON.stringify(o)).join(" or ");
        const value = (issue.input as Record<string, unknown> | null)?.[raw.discriminator];
        return `expected ${raw.discriminator} ${options}, got ${describe(value)}`;
      }
      return `expected one of the accepted forms, got ${got}`;
    }
    case "invalid_format":
      return `expected ${issue.format === "regex" ? "a value of the documented form" : issue.format}, got ${got}`;
    default:
      return undefined;
  }
}

function tooSmall(issue: RawIssue & { code: "too_small" }, got: string): string {
  const min = String(issue.minimum);
  if (issue.origin === "array") return `needs at least ${min} item(s)`;
  if (issue.origin === "string")
    return Number(issue.minimum) <= 1 ? "must not be empty" : `needs at least ${min} characters`;
  return `must be ${issue.inclusive ? "at least" : "greater than"} ${min}, got ${got}`;
}

function tooBig(issue: RawIssue & { code: "too_big" }, got: string): string {
  const max = String(issue.maximum);
  if (issue.origin === "array") return `takes at most ${max} item(s)`;
  if (issue.origin === "string") return `takes at most ${max} characters`;
  return `must be ${issue.inclusive ? "at most" : "less than"} ${max}, got ${got}`;
}

export function article(expected: string): string {
  if (expected === "object" || expected === "record") return "a mapping";
  if (expected === "array" || expected === "tuple") return "a list";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string")
    return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return String(value);
}
