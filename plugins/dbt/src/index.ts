export { createDbtPlugin, PROVIDER, VERSION } from "./plugin.js";
export { DbtSuiteRunner, type RunnerOptions } from "./runner.js";
