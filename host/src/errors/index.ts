// Diagnostics: errors as values with a code, a place and a fix. The CLI renders
// them; the gRPC server sends them as `Diagnostic` messages.
// The SDK's errors module alone (not its index, which loads gRPC): the CLI's
// start-up path reaches this module before it needs anything else.
import { ERROR_CATALOGUE, FloeError, type FloeErrorCode } from "@floe/quality-sdk/errors";

export { ERROR_CATALOGUE, FloeError, type FloeErrorCode };

export interface Diagnostic {
  code: FloeErrorCode;
  message: string;
  /** File at fault, when there is one. */
  file?: string | undefined;
  /** Dotted path inside the file (`quality.dimension_weights`), or `model/check`. */
  path?: string | undefined;
  fix: string;
  level: "error" | "warning";
}

export function diagnostic(
  code: FloeErrorCode,
  message: string,
  where: { file?: string | undefined; path?: string | undefined; fix?: string | undefined } = {},
  level: Diagnostic["level"] = "error",
): Diagnostic {
  return {
    code,
    message,
    file: where.file,
    path: where.path,
    fix: where.fix ?? ERROR_CATALOGUE[code].fix,
    level,
  };
}

export function diagnosticFromError(error: FloeError): Diagnostic {
  return diagnostic(error.code, error.message, error);
}

/** `error FLOE-DQ105 floe.yaml models[0].quality_checks[2].column: ... \n  fix: ...` */
export function renderDiagnostic(d: Diagnostic): string {
  const place = [d.file, d.path].filter(Boolean).join(" ");
  return `${d.level} ${d.code}${place ? ` ${place}` : ""}: ${d.message}\n  fix: ${d.fix}`;
}

/**
 * Thrown when a set of diagnostics stops an operation (compile, config loading);
 * the CLI prints every one.
 */
export class DiagnosticsError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(renderDiagnostic).join("\n"));
    this.name = "DiagnosticsError";
    this.diagnostics = diagnostics;
  }
}
