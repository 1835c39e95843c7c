// Piscina worker for bench/scoring.ts: scores one batch with the built host.
import { calculateQualityScore } from "../host/dist/scoring/index.js";

export default function score({ checks, config }) {
  return calculateQualityScore(checks, config);
}
