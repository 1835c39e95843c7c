// The exec probes of the Deployment, run as the kubelet runs them, against a real
// plugin sidecar (the py-echo fixture on the Python SDK): on its Unix socket, and
// on TCP with TLS as the host's probe is used.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { writePki } from "./support.js";

const REPO = resolve(import.meta.dirname, "../..");
const PYTHON = join(REPO, ".venv/bin/python");
const NODE_PROBE = join(REPO, "deploy/images/probe/grpc-health-probe.mjs");
const PYTHON_PROBE = join(REPO, "deploy/images/probe/grpc_health_probe.py");
const PY_ECHO = join(REPO, "test/fixtures/plugins/py-echo/main.py");
const SERVICE = "floe.quality.v1.QualityPluginService";

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "floe-probe-"));
  dirs.push(dir);
  return dir;
}

/** py-echo as a sidecar; resolves with its handshake line once it listens. */
async function startSidecar(env: Record<string, string>): Promise<string> {
  const child = spawn(PYTHON, [PY_ECHO], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  child.stderr!.resume();
  return await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once("line", done);
    child.once("exit", (code) => fail(new Error(`sidecar exited with ${code}`)));
  });
}

interface ProbeResult {
  status: number | null;
  stderr: string;
}

function probe(kind: "node" | "python", args: string[]): ProbeResult {
  const [program, script] =
    kind === "node" ? [process.execPath, NODE_PROBE] : [PYTHON, PYTHON_PROBE];
  const result = spawnSync(program, [script, ...args], { encoding: "utf8", timeout: 10_000 });
  return { status: result.status, stderr: result.stderr };
}

/** Probes until SERVING (exit 0) or the deadline; the last result. */
async function probeUntilServing(kind: "node" | "python", args: string[]): Promise<ProbeResult> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = probe(kind, args);
    if (result.status === 0 || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(["node", "python"] as const)(
  "the %s exec probe on a plugin's Unix socket",
  (kind) => {
    it("fails while the plugin starts (NOT_SERVING), succeeds once it serves", async () => {
      const dir = tempDir();
      const gate = join(dir, "startup-gate");
      execFileSync("mkfifo", [gate]);
      const address = `unix://${join(dir, "py_echo.sock")}`;
      const handshake = await startSidecar({
        FLOE_PLUGIN_LISTEN: address,
        FLOE_ECHO_STARTUP_GATE: gate,
      });
      expect(handshake).toBe(`1|1|unix|${join(dir, "py_echo.sock")}|grpc`);

      const starting = probe(kind, [address, "--service", SERVICE]);
      expect(starting).toEqual({ status: 1, stderr: `${address}: ${SERVICE} is NOT_SERVING\n` });

      writeFileSync(gate, "go");
      const serving = await probeUntilServing(kind, [address, "--service", SERVICE]);
      expect(serving).toEqual({ status: 0, stderr: "" });
      expect(probe(kind, [address])).toEqual({ status: 0, stderr: "" });
    });

    it("fails when nothing listens on the socket", () => {
      const address = `unix://${join(tempDir(), "absent.sock")}`;
      const timeout = kind === "node" ? ["--timeout-ms", "500"] : ["--timeout", "0.5"];
      const result = probe(kind, [address, "--service", SERVICE, ...timeout]);
      expect(result.status).toBe(1);
      expect(result.stderr.startsWith(`${address}: health check failed: `)).toBe(true);
    });
  },
);

describe("the node exec probe over TLS, as the host container runs it", () => {
  it("verifies the server certificate against the CA under the Service's DNS name", async () => {
    const serviceName = "floe-quality.floe-quality.svc";
    const pki = writePki(tempDir(), serviceName);
    const handshake = await startSidecar({
      FLOE_PLUGIN_LISTEN: "tcp://127.0.0.1:0",
      FLOE_PLUGIN_TLS_CERT: pki("tls.crt"),
      FLOE_PLUGIN_TLS_KEY: pki("tls.key"),
    });
    const port = handshake.split("|")[3]!.split(":")[1];
    const address = `localhost:${port}`;
    const tls = ["--tls-ca", pki("ca.crt")];

    expect(
      await probeUntilServing("node", [address, ...tls, "--server-name", serviceName]),
    ).toEqual({ status: 0, stderr: "" });
    // Another name than the certificate's, or no CA at all: the probe fails.
    const wrongName = probe("node", [address, ...tls, "--server-name", "elsewhere.svc"]);
    expect(wrongName.status).toBe(1);
    expect(wrongName.stderr.startsWith(`${address}: health check failed: `)).toBe(true);
    const plain = probe("node", [address, "--timeout-ms", "1000"]);
    expect(plain.status).toBe(1);
  });

  it("refuses half-given client credentials", () => {
    const result = probe("node", ["localhost:1", "--tls-ca", "ca.crt", "--tls-cert", "c.crt"]);
    expect(result.status).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("--tls-cert and --tls-key go together");
  });
});
