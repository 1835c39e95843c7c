// What the CLI prints for people: errors without stack traces, diagnostics, JSON.
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { FloeError } from "@floe/quality-sdk";
import { diagnosticFromError, renderDiagnostic } from "../errors/index.js";

/** A mistake in the command line itself: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A command's options, parsed strictly; a mistake in them is a UsageError followed by `usage`. */
export function parseOptions<const T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  usage: string,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>["values"] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

/** Throws a UsageError naming every option of `names` that `values` lacks. */
export function requireOptions(
  values: Record<string, unknown>,
  names: readonly string[],
  usage: string,
): void {
  const missing = names.filter((name) => !values[name]);
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}\n\n${usage}`);
  }
}

/** `rows` (the header first) as aligned text lines: columns two spaces apart, no trailing blanks. */
export function tableLines(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
}

export function renderError(error: FloeError): string {
  return renderDiagnostic(diagnosticFromError(error));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
