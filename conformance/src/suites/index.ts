// The groups, in the order they run: cheap protocol facts first, the deadline
// and lifecycle groups (which stress or end processes) last.
import type { ConformanceGroup } from "../framework.js";
import { capabilitiesHonestGroup } from "./capabilities-honest.js";
import { concurrencyGroup } from "./concurrency.js";
import { deadlineGroup } from "./deadline.js";
import { errorsGroup } from "./errors.js";
import { failFastGroup } from "./fail-fast.js";
import { failingSamplesGroup } from "./failing-samples.js";
import { handshakeGroup } from "./handshake.js";
import { healthGroup } from "./health.js";
import { lifecycleGroup } from "./lifecycle.js";
import { logsGroup } from "./logs.js";
import { metadataGroup } from "./metadata.js";
import { resultShapeGroup } from "./result-shape.js";
import { robustnessGroup } from "./robustness.js";
import { runChecksGroup } from "./run-checks.js";
import { validateConfigGroup } from "./validate-config.js";
import { validateSuiteGroup } from "./validate-suite.js";

export const GROUPS: readonly ConformanceGroup[] = [
  handshakeGroup,
  healthGroup,
  metadataGroup,
  capabilitiesHonestGroup,
  validateConfigGroup,
  validateSuiteGroup,
  errorsGroup,
  runChecksGroup,
  resultShapeGroup,
  failingSamplesGroup,
  failFastGroup,
  concurrencyGroup,
  robustnessGroup,
  deadlineGroup,
  logsGroup,
  lifecycleGroup,
];
