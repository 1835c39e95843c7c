// Gates: a model's suite against its tier's coverage and required check types,
// and every run-time verdict rule.
export {
  checkedColumns,
  evaluateGates,
  type GatedDbtTest,
  type GatedModel,
  testCoverage,
} from "./evaluate.js";
export {
  cannotJudge,
  decideVerdict,
  exitCodeOf,
  formatScore,
  type JudgedCheck,
  rollUpExitCodes,
  runGate,
  VERDICTS,
  type Verdict,
  type VerdictOutcome,
} from "./verdict.js";
