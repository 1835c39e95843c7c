// Builds the wire requests the tests send, from fixture cases.
import { contract, dimensionToWire, lookupCheckType } from "@floe/quality-sdk";
import type { CheckCase } from "./fixture/data.js";
import type { Fixture } from "./fixture/index.js";

export const MODEL_NAME = "conformance_model";

export interface CheckOverrides {
  name?: string;
  dimension?: contract.Dimension;
  severity?: contract.Severity;
  enabled?: boolean;
  customWeight?: number;
}

export function checkOf(c: CheckCase, overrides: CheckOverrides = {}): contract.QualityCheck {
  const spec = lookupCheckType(c.type);
  return {
    name: overrides.name ?? c.name,
    type: c.type,
    column: c.column,
    dimension:
      overrides.dimension ??
      (spec ? dimensionToWire(spec.dimension) : contract.Dimension.DIMENSION_UNSPECIFIED),
    severity: overrides.severity ?? contract.Severity.SEVERITY_WARNING,
    customWeight: overrides.customWeight,
    parameters: c.parameters,
    enabled: overrides.enabled ?? true,
  };
}

export function suiteOf(
  checks: contract.QualityCheck[],
  options: { timeoutSeconds?: number; failFast?: boolean } = {},
): contract.QualitySuite {
  return {
    modelName: MODEL_NAME,
    checks,
    timeoutSeconds: options.timeoutSeconds ?? 30,
    failFast: options.failFast ?? false,
    nativeSuite: "",
  };
}

export function runRequest(
  fixture: Fixture,
  relation: string,
  suite: contract.QualitySuite,
): contract.RunChecksRequest {
  return {
    suite,
    connection: fixture.connection,
    relation,
    options: { maxFailingSamples: 0, sensitiveColumns: [] },
    runId: "conformance",
  };
}

export const statusName = (s: contract.CheckStatus): string => contract.CheckStatus[s] ?? String(s);
export const dimensionName = (d: contract.Dimension): string => contract.Dimension[d] ?? String(d);
export const severityName = (s: contract.Severity): string => contract.Severity[s] ?? String(s);
