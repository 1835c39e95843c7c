// Scoring a serialized CalculateQualityScoreRequest: the unit of work the scoring
// pool runs, inline or on a worker thread. Decoding is most of the cost of a large
// batch, so it happens where the scoring happens: off the event loop for big ones.
import { contract, FloeError } from "@floe/quality-sdk";
import { nestingDepth } from "../config/limits.js";
import {
  checkResultFromProto,
  type QualityScore,
  qualityConfigFromProto,
} from "../config/results.js";
import { calculateQualityScore } from "./score.js";

/**
 * The QualityScore of an encoded CalculateQualityScoreRequest. The request's
 * config may leave the provider empty: scoring reads only the weights and the
 * calculation parameters. Throws FloeError (FLOE-DQ100) for an invalid config and
 * ContractViolation for a check without dimension or severity.
 */
export function scoreEncodedRequest(bytes: Uint8Array, now: Date = new Date()): QualityScore {
  const request = decodeScoreRequest(bytes);
  const config = qualityConfigFromProto({
    ...(request.config ?? contract.QualityConfig.fromPartial({})),
    provider: request.config?.provider || "scoring",
  });
  const results = request.results;
  return calculateQualityScore(results?.checks.map(checkResultFromProto) ?? [], config, {
    dbtResults: request.dbtResults.map(checkResultFromProto),
    modelName: results?.modelName ?? "",
    now,
  });
}

/** Struct nesting a check's details may have: far past any real result, short of a stack overflow. */
export const MAX_DETAILS_NESTING = 32;

/** The decoded request; FLOE-DQ109 for bytes that are no such message or nest too deeply. */
function decodeScoreRequest(bytes: Uint8Array): contract.CalculateQualityScoreRequest {
  let request: contract.CalculateQualityScoreRequest;
  const cap = MAX_DETAILS_NESTING * 3 + 8;
  try {
    request = contract.CalculateQualityScoreRequest.decode(bytes);
  } catch (error) {
    if (/recursion/i.test((error as Error).message)) throw tooDeep();
    throw new FloeError(
      "FLOE-DQ109",
      "the CalculateQualityScore request is not a valid protobuf message",
      {
        fix: "Send a CalculateQualityScoreRequest encoded from proto/floe/quality/v1/host.proto.",
      },
    );
  }
  // A details Struct level is about three levels of decoded message.
  if (nestingDepth(request, cap) > cap) throw tooDeep();
  return request;
}

function tooDeep(): FloeError {
  return new FloeError(
    "FLOE-DQ109",
    `the CalculateQualityScore request nests values more than ${MAX_DETAILS_NESTING} deep`,
    { path: "results.checks.details", fix: "Flatten the details of the check results." },
  );
}
