// Shared by the plugins-*.test.ts files: the fixture plugins and process checks.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { contract } from "@floe/quality-sdk";
import { afterAll, afterEach } from "vitest";
import {
  discoverPlugins,
  launchCommand,
  type PluginDescriptor,
  resolveProvider,
} from "../src/plugins/index.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const FIXTURE_PLUGINS = join(REPO_ROOT, "test/fixtures/plugins");
export const TS_ECHO_MAIN = join(FIXTURE_PLUGINS, "ts-echo/main.mjs");
export const CLI = join(REPO_ROOT, "host/bin/floe-quality.js");

function fixtureDescriptor(provider: string): PluginDescriptor {
  return resolveProvider(
    discoverPlugins({ env: { FLOE_PLUGIN_PATH: FIXTURE_PLUGINS }, workspaceRoot: tmpdir() }),
    provider,
  );
}

export function tsEchoDescriptor(): PluginDescriptor {
  return fixtureDescriptor("ts_echo");
}

/** py_echo, the Python fixture plugin built on floe_quality_sdk. */
export function pyEchoDescriptor(): PluginDescriptor {
  return fixtureDescriptor("py_echo");
}

/** The two echo fixtures behave alike; tests of that shared behaviour run over both. */
export const ECHO_PLUGINS = [
  { label: "TypeScript", name: "ts_echo", descriptor: tsEchoDescriptor, startupMs: 400 },
  { label: "Python", name: "py_echo", descriptor: pyEchoDescriptor, startupMs: 600 },
] as const;

const sidecars: ChildProcess[] = [];
afterEach(() => {
  for (const child of sidecars.splice(0)) child.kill("SIGKILL");
});

/**
 * Starts a plugin standalone (as a sidecar) with `env`, e.g. FLOE_PLUGIN_LISTEN;
 * resolves with its handshake line. The process is killed after the test.
 */
export async function startSidecar(
  descriptor: PluginDescriptor,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; handshake: string }> {
  const { file, args } = launchCommand(descriptor);
  const child = spawn(file, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  sidecars.push(child);
  child.stderr!.resume();
  const handshake = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`sidecar exited with ${code}`)));
  });
  return { child, handshake };
}

/** The TLS address of a sidecar's TCP handshake: the server certificate names localhost, and TLS does not send an IP as the server name. */
export function localhostAddress(handshake: string): string {
  return `localhost:${handshake.split("|")[3]!.split(":")[1]}`;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system temp dir, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `floe-test-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** A file the ts_echo plugin appends its pid to on every start. */
export function pidFile(): string {
  return join(tempDir("pids"), "pids");
}

export function pidsIn(file: string): number[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0) until its parent reaps it; it runs nothing.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Resolves when `condition` holds, polling a real signal; throws after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function check(
  name: string,
  parameters: Record<string, unknown> = {},
  fields: Partial<contract.QualityCheck> = {},
): contract.QualityCheck {
  return {
    name,
    type: "not_null",
    column: "id",
    dimension: contract.Dimension.DIMENSION_COMPLETENESS,
    severity: contract.Severity.SEVERITY_CRITICAL,
    parameters,
    enabled: true,
    ...fields,
  };
}

export function runRequest(
  checks: contract.QualityCheck[],
  runId = "run-1",
  timeoutSeconds = 0,
): contract.RunChecksRequest {
  return contract.RunChecksRequest.fromPartial({
    suite: { modelName: "orders", checks, timeoutSeconds },
    relation: "orders",
    runId,
  });
}
