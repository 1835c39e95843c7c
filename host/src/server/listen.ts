// Where the host listens and whether that is allowed. Loopback and Unix sockets
// are served in plain text; any other address needs TLS and a caller identity (a
// bearer token or a client certificate). Pure: no sockets here.
import { isIP } from "node:net";

export type ListenAddress =
  | { kind: "unix"; path: string; target: string }
  | { kind: "tcp"; host: string; port: number; loopback: boolean; target: string };

export interface ListenSecurity {
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
  /** Client certificates signed by this CA are required (mTLS). */
  tlsClientCaFile?: string | undefined;
  /** Callers send `authorization: Bearer <token>`. */
  token?: string | undefined;
}

export const DEFAULT_LISTEN = "127.0.0.1:7700";

export class ListenRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListenRefused";
  }
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1";
  return false;
}

/** `unix:///run/floe.sock`, `unix:rel.sock`, `127.0.0.1:7700`, `[::1]:7700`, `0.0.0.0:7700`. */
export function parseListenAddress(text: string): ListenAddress {
  if (text.startsWith("unix:")) {
    const path = text.startsWith("unix://") ? text.slice("unix://".length) : text.slice(5);
    if (path === "") throw new ListenRefused(`listen address '${text}' names no socket path`);
    return { kind: "unix", path, target: `unix:${path}` };
  }
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (match === null) {
    throw new ListenRefused(
      `listen address '${text}' is not host:port or unix:///path (e.g. 127.0.0.1:7700)`,
    );
  }
  const host = match[1] ?? match[2] ?? "";
  const port = Number(match[3]);
  if (host === "" || port > 65535) {
    throw new ListenRefused(`listen address '${text}' is not host:port or unix:///path`);
  }
  const target = match[1] !== undefined ? `[${host}]:${port}` : `${host}:${port}`;
  return { kind: "tcp", host, port, loopback: isLoopback(host), target };
}

/**
 * Refuses a non-loopback TCP address without TLS and caller authentication, and
 * TLS settings that are half given. Returns the address when it may be served.
 */
export function checkListenSecurity(address: ListenAddress, security: ListenSecurity): void {
  const tls = security.tlsCertFile !== undefined || security.tlsKeyFile !== undefined;
  if (tls && (security.tlsCertFile === undefined || security.tlsKeyFile === undefined)) {
    throw new ListenRefused("--tls-cert and --tls-key go together");
  }
  if (security.tlsClientCaFile !== undefined && !tls) {
    throw new ListenRefused("--tls-client-ca needs --tls-cert and --tls-key");
  }
  if (address.kind === "unix" || address.loopback) return;
  const authenticated = security.token !== undefined || security.tlsClientCaFile !== undefined;
  if (tls && authenticated) return;
  const missing = [
    tls ? undefined : "TLS (--tls-cert and --tls-key)",
    authenticated ? undefined : "caller authentication (FLOE_HOST_TOKEN or --tls-client-ca)",
  ].filter(Boolean);
  throw new ListenRefused(
    `refusing to listen on ${address.target} without ${missing.join(" and ")}: it is not a loopback address. ` +
      "Listen on 127.0.0.1:PORT or unix:///path, or give TLS and a bearer token or client CA.",
  );
}
