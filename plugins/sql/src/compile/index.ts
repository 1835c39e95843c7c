// The SDK's name primitives, re-exported for the engines and the runner.
export { quoteIdentifier, storedIdentifier } from "@floe/quality-sdk";
export {
  type CompiledCheck,
  compileCheck,
  MAX_VALUE_SET,
  type ResolvedCheck,
  SUPPORTED_CHECK_TYPES,
} from "./checks.js";
export {
  DIALECTS,
  type Dialect,
  type DialectName,
  dialectNamed,
  duckdb,
  postgres,
} from "./dialect.js";
export {
  aggregateOutcome,
  aggregateStatement,
  type CheckOutcome,
  errorOutcome,
  type PlanContext,
  type PlannedSamples,
  type PlannedStatement,
  queryKindOf,
  type Row,
  readSamples,
  rowOutcome,
  sampleStatement,
  samplesStatement,
  setStatement,
} from "./plan.js";
export { displayRelation, parseRelation, quoteRelation, type RelationName } from "./relation.js";
export { type CheckDefinition, type CheckProblem, columnsReadBy, resolveCheck } from "./resolve.js";
export { SqlBuilder, type SqlValue, type Statement } from "./sql.js";
