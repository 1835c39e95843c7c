// A run's outcome and progress as QualityHostService messages: encoded once, at
// the gRPC boundary, from the run's one representation.
import { contract } from "@floe/quality-sdk";
import {
  checkResultToProto,
  gateResultToProto,
  scoreToProto,
  suiteResultToProto,
} from "../config/results.js";
import type { Diagnostic } from "../errors/index.js";
import type { Verdict } from "../gates/verdict.js";
import type { CheckError, ErrorCause, RunError } from "./cause.js";
import { type CheckProgress, type QualityRunOutcome, storedOutcome } from "./run.js";
import { storedResult } from "./samples.js";

const VERDICT_TO_WIRE: Readonly<Record<Verdict, contract.Verdict>> = {
  pass: contract.Verdict.VERDICT_PASS,
  warn: contract.Verdict.VERDICT_WARN,
  fail: contract.Verdict.VERDICT_FAIL,
  error: contract.Verdict.VERDICT_ERROR,
};

const CAUSE_TO_WIRE: Readonly<Record<ErrorCause, contract.ErrorCause>> = {
  unavailable: contract.ErrorCause.ERROR_CAUSE_UNAVAILABLE,
  timeout: contract.ErrorCause.ERROR_CAUSE_TIMEOUT,
  config: contract.ErrorCause.ERROR_CAUSE_CONFIG,
  internal: contract.ErrorCause.ERROR_CAUSE_INTERNAL,
};

export function diagnosticToProto(d: Diagnostic): contract.Diagnostic {
  return {
    code: d.code,
    message: d.message,
    file: d.file ?? "",
    path: d.path ?? "",
    fix: d.fix,
    level: d.level,
  };
}

function checkErrorToProto(e: CheckError): contract.CheckError {
  return {
    checkName: e.check_name,
    cause: CAUSE_TO_WIRE[e.cause],
    retryable: e.retryable,
    code: e.code,
    message: e.message,
    fix: e.fix,
    source: e.source,
  };
}

function runErrorToProto(e: RunError): contract.RunError {
  return {
    cause: CAUSE_TO_WIRE[e.cause],
    retryable: e.retryable,
    code: e.code,
    message: e.message,
    fix: e.fix,
  };
}

export function checkProgressToProto(p: CheckProgress): contract.CheckProgress {
  return {
    result: checkResultToProto(storedResult(p.result, p.samples)),
    completed: p.completed,
    total: p.total,
    error: p.error === undefined ? undefined : checkErrorToProto(p.error),
  };
}

export function runOutcomeToProto(run: QualityRunOutcome): contract.RunOutcome {
  const outcome = storedOutcome(run);
  return {
    suiteResult: suiteResultToProto(outcome.suiteResult),
    score: outcome.score === null ? undefined : scoreToProto(outcome.score),
    verdict: VERDICT_TO_WIRE[outcome.verdict],
    violations: outcome.violations,
    diagnostics: outcome.diagnostics.map(diagnosticToProto),
    gate: gateResultToProto(outcome.gate),
    runId: outcome.runId,
    qualityTier: outcome.qualityTier,
    error: outcome.error === null ? undefined : runErrorToProto(outcome.error),
    checkErrors: outcome.errors.map(checkErrorToProto),
    dbtTests: outcome.dbtTests.map(checkResultToProto),
  };
}
