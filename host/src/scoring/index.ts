// Scoring: the seed's algorithm as a pure function (docs/scoring.md).

export { DEFAULT_CUTOVER_BYTES, ScoringPool, type ScoringPoolOptions } from "./pool.js";
export { scoreEncodedRequest } from "./request.js";
export {
  calculateQualityScore,
  checkWeight,
  dimensionScores,
  overallScore,
  type ScoredCheck,
  type ScoreOptions,
  type ScoringConfig,
} from "./score.js";
