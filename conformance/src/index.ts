// The public surface of @floe/quality-conformance.
export { runCli } from "./cli.js";
export type { ConformanceOptions } from "./options.js";
export { parseOptions } from "./options.js";
export { type ConformanceReport, REPORT_FORMAT, renderJUnit, renderText } from "./report.js";
export { runConformance } from "./run.js";
