import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { contract, FloeError } from "@floe/quality-sdk";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectPlugin, type RunningPlugin } from "../src/plugins/index.js";
import { check, runRequest, TS_ECHO_MAIN, tempDir } from "./plugins-support.js";

const sidecars: ChildProcess[] = [];
const connections: RunningPlugin[] = [];

/** Starts ts_echo standalone with FLOE_PLUGIN_LISTEN; resolves with its handshake line. */
async function startSidecar(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; handshake: string }> {
  const child = spawn(process.execPath, [TS_ECHO_MAIN], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  sidecars.push(child);
  const handshake = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`sidecar exited with ${code}`)));
  });
  return { child, handshake };
}

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
  for (const child of sidecars.splice(0)) child.kill("SIGKILL");
});

describe("sidecar mode", () => {
  it("serves on a Unix socket without the cookie, is dialed by the host, and exits 0 on SIGTERM removing the socket", async () => {
    const socket = join(tempDir("sidecar"), "p.sock");
    const { child, handshake } = await startSidecar({ FLOE_PLUGIN_LISTEN: `unix://${socket}` });
    expect(handshake).toBe(`1|1|unix|${socket}|grpc`);

    const plugin = await connectPlugin({ name: "ts_echo", address: `unix://${socket}` });
    connections.push(plugin);
    expect(plugin.metadata.name).toBe("ts_echo");
    const summary = await plugin.client.runChecks(runRequest([check("id_not_null")]), {
      timeoutMs: 5_000,
    });
    expect(summary.checks.map((c) => c.status)).toEqual([contract.CheckStatus.CHECK_STATUS_PASSED]);

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
  });

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
    const { handshake } = await startSidecar({
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

  describe("over TCP with mutual TLS", () => {
    const pki = tempDir("pki");
    const file = (name: string) => join(pki, name);

    beforeAll(() => {
      const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
      openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=floe-test-ca",
        "-keyout",
        file("ca.key"),
        "-out",
        file("ca.pem"),
      );
      writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
      for (const who of ["server", "client"]) {
        openssl(
          "req",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-subj",
          `/CN=${who === "server" ? "localhost" : "floe-host"}`,
          "-keyout",
          file(`${who}.key`),
          "-out",
          file(`${who}.csr`),
        );
        openssl(
          "x509",
          "-req",
          "-in",
          file(`${who}.csr`),
          "-CA",
          file("ca.pem"),
          "-CAkey",
          file("ca.key"),
          "-CAcreateserial",
          "-days",
          "1",
          "-out",
          file(`${who}.pem`),
          ...(who === "server" ? ["-extfile", file("server.ext")] : []),
        );
      }
    });

    const mtlsEnv = () => ({
      FLOE_PLUGIN_LISTEN: "tcp://127.0.0.1:0",
      FLOE_PLUGIN_TLS_CERT: file("server.pem"),
      FLOE_PLUGIN_TLS_KEY: file("server.key"),
      FLOE_PLUGIN_TLS_CLIENT_CA: file("ca.pem"),
    });

    it("accepts a host presenting a client certificate signed by the configured CA", async () => {
      const { handshake } = await startSidecar(mtlsEnv());
      // The server certificate names localhost; TLS does not send an IP as the server name.
      const address = `localhost:${handshake.split(":").at(-1)!.split("|")[0]}`;
      const plugin = await connectPlugin({
        name: "ts_echo",
        address,
        tls: { caFile: file("ca.pem"), certFile: file("client.pem"), keyFile: file("client.key") },
      });
      connections.push(plugin);
      expect(plugin.metadata.name).toBe("ts_echo");
    });

    it("rejects a host without a client certificate with FLOE-DQ001", async () => {
      const { handshake } = await startSidecar(mtlsEnv());
      const address = `localhost:${handshake.split(":").at(-1)!.split("|")[0]}`;
      const error = await connectPlugin({
        name: "ts_echo",
        address,
        tls: { caFile: file("ca.pem") },
        healthTimeoutMs: 2_000,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FloeError);
      expect((error as FloeError).code).toBe("FLOE-DQ001");
      expect((error as FloeError).message).toMatch(new RegExp(`^plugin ts_echo at ${address} `));
    });
  });
});
