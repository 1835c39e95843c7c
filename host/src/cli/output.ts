// What the CLI prints for people: errors without stack traces, diagnostics, JSON.
import type { FloeError } from "@floe/quality-sdk";
import { diagnosticFromError, renderDiagnostic } from "../errors/index.js";

/** A mistake in the command line itself: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function renderError(error: FloeError): string {
  return renderDiagnostic(diagnosticFromError(error));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
