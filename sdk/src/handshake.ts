// The plugin side of the handshake: environment checks, version negotiation and
// the one stdout line `CORE|APP|NETWORK|ADDRESS|grpc`.
import {
  APP_PROTOCOL_VERSIONS,
  CORE_PROTOCOL_VERSION,
  ENV,
  MAGIC_COOKIE_VALUE,
} from "./protocol.js";

export type Network = "unix" | "tcp";

export interface HandshakeLine {
  core: number;
  app: number;
  network: Network;
  address: string;
  protocol: "grpc";
}

export function formatHandshakeLine(line: HandshakeLine): string {
  return `${line.core}|${line.app}|${line.network}|${line.address}|${line.protocol}`;
}

export function hasMagicCookie(env: NodeJS.ProcessEnv): boolean {
  return env[ENV.magicCookie] === MAGIC_COOKIE_VALUE;
}

/** Versions listed by the host in FLOE_PLUGIN_PROTOCOL_VERSIONS; absent means 1. */
export function hostProtocolVersions(env: NodeJS.ProcessEnv): number[] {
  const raw = env[ENV.protocolVersions];
  if (raw === undefined || raw.trim() === "") return [CORE_PROTOCOL_VERSION];
  return raw
    .split(",")
    .map((v) => v.trim())
    .filter((v) => /^\d+$/.test(v))
    .map(Number);
}

/** The highest version both sides speak, or undefined when they share none. */
export function negotiateProtocolVersion(
  hostVersions: readonly number[],
  pluginVersions: readonly number[] = APP_PROTOCOL_VERSIONS,
): number | undefined {
  const common = pluginVersions.filter((v) => hostVersions.includes(v));
  return common.length === 0 ? undefined : Math.max(...common);
}

export function handshakeLineFor(app: number, network: Network, address: string): string {
  return formatHandshakeLine({
    core: CORE_PROTOCOL_VERSION,
    app,
    network,
    address,
    protocol: "grpc",
  });
}

export { MAGIC_COOKIE_VALUE };
