// The host side of the handshake: the plugin's one stdout line
// `CORE|APP|NETWORK|ADDRESS|grpc` (docs/plugin-protocol.md), parsed and checked.
import { APP_PROTOCOL_VERSIONS, CORE_PROTOCOL_VERSION, FloeError } from "@floe/quality-sdk";

export interface Handshake {
  core: number;
  app: number;
  network: "unix" | "tcp";
  address: string;
  protocol: "grpc";
}

const EXAMPLE = "1|1|unix|/tmp/floe-plugin-ab12/plugin.sock|grpc";

/** The handshake a plugin announced, or a FLOE-DQ001 error saying what is wrong with the line. */
export function parseHandshakeLine(line: string, plugin: string): Handshake {
  const shown = JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}...` : line);
  const invalid = (why: string) =>
    new FloeError(
      "FLOE-DQ001",
      `plugin ${plugin} printed an invalid handshake line ${shown}: ${why}`,
      {
        fix: `A plugin prints exactly one stdout line CORE|APP|NETWORK|ADDRESS|grpc, e.g. ${EXAMPLE}, and logs only to stderr (docs/plugin-protocol.md).`,
      },
    );
  const fields = line.trim().split("|");
  if (fields.length !== 5)
    throw invalid(`expected 5 fields separated by '|', found ${fields.length}`);
  const [core, app, network, address, protocol] = fields as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (core !== String(CORE_PROTOCOL_VERSION)) {
    throw invalid(`core handshake version '${core}' is not ${CORE_PROTOCOL_VERSION}`);
  }
  if (!/^\d+$/.test(app) || !APP_PROTOCOL_VERSIONS.includes(Number(app))) {
    throw invalid(
      `protocol version '${app}' is not one the host offered (${APP_PROTOCOL_VERSIONS.join(",")})`,
    );
  }
  if (network !== "unix" && network !== "tcp")
    throw invalid(`network '${network}' is neither unix nor tcp`);
  if (address === "") throw invalid("the address is empty");
  if (network === "unix" && !address.startsWith("/"))
    throw invalid(`unix socket path '${address}' is not absolute`);
  if (network === "tcp" && !/^.+:\d+$/.test(address))
    throw invalid(`tcp address '${address}' is not host:port`);
  if (protocol !== "grpc") throw invalid(`protocol '${protocol}' is not grpc`);
  return { core: Number(core), app: Number(app), network, address, protocol };
}

/** The grpc-js target for a handshake's address. */
export function dialTarget(handshake: Pick<Handshake, "network" | "address">): string {
  return handshake.network === "unix" ? `unix:${handshake.address}` : handshake.address;
}
