// Scoring a serialized CalculateQualityScoreRequest: the unit of work the scoring
// pool runs, inline or on a worker thread. Decoding is most of the cost of a large
// batch, so it happens where the scoring happens: off the event loop for big ones.
import { contract } from "@floe/quality-sdk";
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
  const request = contract.CalculateQualityScoreRequest.decode(bytes);
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
