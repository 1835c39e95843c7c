// The wire contract, generated from proto/floe/quality/v1 by `npm run generate`.
export * from "./gen/floe/quality/v1/host.js";
export * from "./gen/floe/quality/v1/plugin.js";
export * from "./gen/floe/quality/v1/types.js";
