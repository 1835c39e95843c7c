// Shared by the plugins-*.test.ts files: the fixture plugins and process checks.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { contract } from "@floe/quality-sdk";
import { afterAll } from "vitest";
import { discoverPlugins, type PluginDescriptor, resolveProvider } from "../src/plugins/index.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const FIXTURE_PLUGINS = join(REPO_ROOT, "test/fixtures/plugins");
export const TS_ECHO_MAIN = join(FIXTURE_PLUGINS, "ts-echo/main.mjs");
export const CLI = join(REPO_ROOT, "host/bin/floe-quality.js");

export function tsEchoDescriptor(): PluginDescriptor {
  return resolveProvider(
    discoverPlugins({ env: { FLOE_PLUGIN_PATH: FIXTURE_PLUGINS }, workspaceRoot: tmpdir() }),
    "ts_echo",
  );
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
