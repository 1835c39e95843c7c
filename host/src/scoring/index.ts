// Scoring: the seed's algorithm as a pure function (docs/scoring.md).
export {
  calculateQualityScore,
  checkWeight,
  dimensionScores,
  overallScore,
  type ScoredCheck,
  type ScoreOptions,
  type ScoringConfig,
} from "./score.js";
