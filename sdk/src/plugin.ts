// The plugin-side entry point, `@floe/quality-sdk/plugin`: what a plugin's main
// module needs, without the check vocabulary and its schemas, so that a plugin
// process starts faster (see bench/plugins.ts).
export * as contract from "./contract.js";
export { ERROR_CATALOGUE, ERROR_DOMAIN, FloeError, type FloeErrorCode } from "./errors.js";
export { createLogger, type LogFields, type LogLevel, type PluginLogger } from "./log.js";
export { FLOE_API_VERSION, HEALTH_SERVICE_NAME } from "./protocol.js";
export { type CallContext, type QualityPlugin, type ServeOptions, servePlugin } from "./serve.js";
