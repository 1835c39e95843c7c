import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { contract, FloeError } from "@floe/quality-sdk";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { makePki } from "../../test/support/pki.js";
import { connectPlugin, type RunningPlugin } from "../src/plugins/index.js";
import {
  check,
  ECHO_PLUGINS,
  localhostAddress,
  runRequest,
  startSidecar,
  TS_ECHO_MAIN,
  tempDir,
  tsEchoDescriptor,
} from "./plugins-support.js";

const connections: RunningPlugin[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
});

let file: (name: string) => string;
beforeAll(() => {
  file = makePki(tempDir("pki"));
});

describe.each(ECHO_PLUGINS)("the $label test plugin as a sidecar", ({ name, descriptor }) => {
  it("serves on a Unix socket without the cookie, is dialed by the host, and exits 0 on SIGTERM removing the socket", async () => {
    const socket = join(tempDir("sidecar"), "p.sock");
    const { child, handshake } = await startSidecar(descriptor(), {
      FLOE_PLUGIN_LISTEN: `unix://${socket}`,
    });
    expect(handshake).toBe(`1|1|unix|${socket}|grpc`);
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    const plugin = await connectPlugin({ name, address: `unix://${socket}` });
    connections.push(plugin);
    expect(plugin.metadata.name).toBe(name);
    const summary = await plugin.client.runChecks(runRequest([check("id_not_null")]), {
      timeoutMs: 5_000,
    });
    expect(summary.checks.map((c) => c.status)).toEqual([contract.CheckStatus.CHECK_STATUS_PASSED]);

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
  });

  describe("over TCP with mutual TLS", () => {
    const mtlsEnv = () => ({
      FLOE_PLUGIN_LISTEN: "tcp://127.0.0.1:0",
      FLOE_PLUGIN_TLS_CERT: file("server.pem"),
      FLOE_PLUGIN_TLS_KEY: file("server.key"),
      FLOE_PLUGIN_TLS_CLIENT_CA: file("ca.pem"),
    });

    it("accepts a host presenting a client certificate signed by the configured CA", async () => {
      const { handshake } = await startSidecar(descriptor(), mtlsEnv());
      const plugin = await connectPlugin({
        name,
        address: localhostAddress(handshake),
        tls: { caFile: file("ca.pem"), certFile: file("client.pem"), keyFile: file("client.key") },
      });
      connections.push(plugin);
      expect(plugin.metadata.name).toBe(name);
    });

    it("rejects a host without a client certificate with FLOE-DQ001", async () => {
      const { handshake } = await startSidecar(descriptor(), mtlsEnv());
      const address = localhostAddress(handshake);
      const error = await connectPlugin({
        name,
        address,
        tls: { caFile: file("ca.pem") },
        healthTimeoutMs: 2_000,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FloeError);
      expect((error as FloeError).code).toBe("FLOE-DQ001");
      expect((error as FloeError).message).toMatch(new RegExp(`^plugin ${name} at ${address} `));
    });
  });
});

describe("the TypeScript test plugin as a sidecar over plain TCP", () => {
  it("refuses plain TCP unless FLOE_PLUGIN_INSECURE=1", async () => {
    const child = spawn(process.execPath, [TS_ECHO_MAIN], {
      env: { PATH: process.env.PATH, FLOE_PLUGIN_LISTEN: "tcp://127.0.0.1:0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(
      "floe-quality plugin: a TCP listener needs TLS: set FLOE_PLUGIN_TLS_CERT and FLOE_PLUGIN_TLS_KEY (and FLOE_PLUGIN_TLS_CLIENT_CA for mTLS), or FLOE_PLUGIN_INSECURE=1 for loopback tests\n",
    );
  });

  it("serves plain TCP on loopback for tests", async () => {
    const { handshake } = await startSidecar(tsEchoDescriptor(), {
      FLOE_PLUGIN_LISTEN: "tcp://127.0.0.1:0",
      FLOE_PLUGIN_INSECURE: "1",
    });
    const [, , network, address] = handshake.split("|");
    expect(network).toBe("tcp");
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const plugin = await connectPlugin({ name: "ts_echo", address: address!, insecure: true });
    connections.push(plugin);
    expect(plugin.metadata.floeApiVersion).toBe("1.0.0");
  });
});
