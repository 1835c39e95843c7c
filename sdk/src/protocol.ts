// The fixed constants of the floe plugin protocol (docs/plugin-protocol.md).
// Host and plugins in every language use exactly these values.

/** A UX guard, not security: tells a plugin it was started by the floe-quality host. */
export const MAGIC_COOKIE_KEY = "FLOE_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "floe-quality-plugin-6d1a9f3c";

export const ENV = {
  magicCookie: MAGIC_COOKIE_KEY,
  protocolVersions: "FLOE_PLUGIN_PROTOCOL_VERSIONS",
  socketDir: "FLOE_PLUGIN_SOCKET_DIR",
  logLevel: "FLOE_PLUGIN_LOG_LEVEL",
  traceparent: "TRACEPARENT",
  listen: "FLOE_PLUGIN_LISTEN",
  tlsCert: "FLOE_PLUGIN_TLS_CERT",
  tlsKey: "FLOE_PLUGIN_TLS_KEY",
  tlsClientCa: "FLOE_PLUGIN_TLS_CLIENT_CA",
  insecure: "FLOE_PLUGIN_INSECURE",
} as const;

/** Version of the stdout handshake line format (its first field). */
export const CORE_PROTOCOL_VERSION = 1;

/** Application protocol versions this side speaks, highest preferred. */
export const APP_PROTOCOL_VERSIONS: readonly number[] = [1];

/** `GetMetadata.floe_api_version` of plugins built on this SDK. */
export const FLOE_API_VERSION = "1.0.0";

/** The floe plugin API major this side speaks: any `1.x.y` plugin is compatible. */
export const FLOE_API_MAJOR = 1;

/** semver.org 2.0.0: MAJOR.MINOR.PATCH, optional -prerelease and +build. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** True when `version` is a semantic version (semver.org 2.0.0). */
export function isSemanticVersion(version: string): boolean {
  return SEMVER.test(version);
}

/**
 * True when a plugin answering this `floe_api_version` keeps this side's contract:
 * a semantic version whose major is FLOE_API_MAJOR (docs/plugin-protocol.md §6).
 */
export function isCompatibleFloeApiVersion(version: string): boolean {
  const m = SEMVER.exec(version);
  return m !== null && Number(m[1]) === FLOE_API_MAJOR;
}

/**
 * The first check name a suite uses twice, or undefined. Results are told apart
 * by check name, so a RunChecks request naming two checks alike fails with
 * FLOE-DQ101 before any check runs (docs/plugin-protocol.md §6, [P-42]).
 */
export function duplicateCheckName(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/** The grpc.health.v1 service name a plugin reports on (and ""). */
export const HEALTH_SERVICE_NAME = "floe.quality.v1.QualityPluginService";

/** File name of the plugin's Unix socket inside FLOE_PLUGIN_SOCKET_DIR. */
export const SOCKET_FILE_NAME = "plugin.sock";

/** What a plugin started by hand prints before exiting 1. */
export const STARTED_BY_HAND_MESSAGE =
  "This binary is a floe-quality plugin. It is started by the floe-quality host, not by hand. Try: floe-quality plugins check <provider>";
