export {
  type DeadLetter,
  LineageEmitter,
  type LineageEmitterOptions,
  lineageEmitterFromEnv,
} from "./emitter.js";
export {
  buildEndEvent,
  buildStartEvent,
  type LineageCheck,
  type LineageScore,
  PRODUCER,
  type QualityRunLineage,
  type RunEnd,
  type RunEvent,
  SCORE_FACET_NAME,
} from "./events.js";
export { newRunId } from "./run-id.js";
export {
  consoleTransport,
  fileTransport,
  httpTransport,
  LineageDeliveryError,
  LineageRejected,
  type LineageTransport,
  noTransport,
} from "./transports.js";
