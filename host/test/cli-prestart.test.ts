// `run` starts its plugin before it loads the rest of the host (src/cli/prestart.ts),
// and the supervisor takes that process over (src/plugins/launch.ts): real CLI
// processes and the ts_echo fixture plugin, which appends its pid per start.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prestartRunPlugin, runProvider } from "../src/cli/prestart.js";
import { discardPrestarted, prestartInstance, spawnInstance } from "../src/plugins/launch.js";
import { CLI, FIXTURE_PLUGINS, REPO_ROOT, tsEchoDescriptor } from "./plugins-support.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

function floeQuality(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: dir,
        timeout: 120_000,
        env: {
          ...process.env,
          FLOE_PLUGIN_PATH: FIXTURE_PLUGINS,
          FLOE_HISTORY_URL: "none",
          OTEL_EXPORTER_OTLP_ENDPOINT: "",
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const pidsIn = (file: string): number[] =>
  existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map(Number) : [];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `pid` is gone; fails after a generous deadline. */
async function gone(pid: number, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (alive(pid)) {
    if (Date.now() > until) throw new Error(`process ${pid} still runs`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-cli-prestart-"));
  await cp(join(REPO_ROOT, "examples"), join(dir, "examples"), { recursive: true });
  const compiled = await floeQuality(
    [
      "compile",
      "--enterprise",
      "examples/manifest.yaml",
      "--domain",
      "examples/domains/sales/manifest.yaml",
      "--product",
      "examples/products/shop/floe.yaml",
      "--out",
      "out/compiled_artifacts.json",
    ],
    {},
  );
  expect(compiled.code).toBe(0);
  // The same artifacts, checked by the fixture plugin.
  const artifacts = JSON.parse(await readFile(join(dir, "out/compiled_artifacts.json"), "utf8"));
  artifacts.quality_config.provider = "ts_echo";
  await writeFile(join(dir, "out/echo.json"), JSON.stringify(artifacts));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("run starts its plugin early", () => {
  it("takes over the process it started: one plugin process for the run", async () => {
    const pidfile = join(dir, "taken.pids");
    const run = await floeQuality(
      ["run", "--artifacts", "out/echo.json", "--model", "customers", "--json"],
      { FLOE_ECHO_PIDFILE: pidfile },
    );
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { provider: string; score: { checks_passed: number } };
    expect([report.provider, report.score.checks_passed]).toEqual(["ts_echo", 13]);
    const pids = pidsIn(pidfile);
    expect(pids).toHaveLength(1);
    await gone(pids[0] as number);
  });

  it("leaves no plugin process and no socket directory when the run stops before using it", async () => {
    const pidfile = join(dir, "discarded.pids");
    const tmp = join(dir, "tmp-discarded");
    await mkdir(tmp);
    const run = await floeQuality(
      ["run", "--artifacts", "out/echo.json", "--model", "no_such_model"],
      { FLOE_ECHO_PIDFILE: pidfile, TMPDIR: tmp },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error FLOE-DQ100 models: model 'no_such_model' is not in the compiled artifacts of product shop/,
    );
    // The early process may be ended before it got as far as writing its pid.
    const pids = pidsIn(pidfile);
    expect(pids.length).toBeLessThanOrEqual(1);
    for (const pid of pids) await gone(pid);
    expect(readdirSync(tmp).filter((f) => f.startsWith("floe-plugin-"))).toEqual([]);
  });
});

describe("prestartRunPlugin", () => {
  const env = {
    ...process.env,
    FLOE_PLUGIN_PATH: FIXTURE_PLUGINS,
    OTEL_EXPORTER_OTLP_ENDPOINT: "",
  };

  it("reads the provider from compiled artifacts, or a one-file project naming none", async () => {
    await writeFile(join(dir, "plain.yaml"), "name: p\nmodels: []\n");
    await writeFile(join(dir, "named.yaml"), "name: p\nplugins:\n  quality:\n    provider: x\n");
    expect([
      runProvider(["--artifacts", join(dir, "out/echo.json"), "--model", "customers"]),
      runProvider(["--artifacts", join(dir, "out/compiled_artifacts.json")]),
      runProvider(["--config", join(dir, "plain.yaml")]),
      runProvider(["--config", join(dir, "named.yaml")]),
      runProvider(["--model", "customers"]),
    ]).toEqual(["ts_echo", "floe_sql", "floe_sql", undefined, undefined]);
  });

  it("starts the run's plugin, but not when tracing is on, switched off, or the file is unreadable", async () => {
    const argv = ["--artifacts", join(dir, "out/echo.json")];
    const started = prestartRunPlugin(argv, env);
    expect(started?.child.pid).toEqual(expect.any(Number));
    expect(prestartRunPlugin(argv, env)).toBe(started);
    discardPrestarted();
    await started?.exited;
    expect([
      prestartRunPlugin(argv, { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" }),
      prestartRunPlugin(argv, { ...env, FLOE_PLUGIN_PRESTART: "off" }),
      prestartRunPlugin(["--artifacts", join(dir, "missing.json")], env),
      prestartRunPlugin(["--artifacts", join(dir, "plain.yaml")], env),
    ]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("prestartInstance / spawnInstance", () => {
  const stop = async (instance: ReturnType<typeof spawnInstance>) => {
    instance.child.stdin?.end();
    await instance.exited;
    await rm(instance.dir, { recursive: true, force: true });
  };

  it("hands the prestarted process to the first spawn with the same settings only", async () => {
    const descriptor = tsEchoDescriptor();
    const early = prestartInstance(descriptor, { FLOE_ECHO_STARTUP_MS: "0" }, undefined);
    const other = spawnInstance(descriptor, {}, undefined);
    const same = spawnInstance(descriptor, { FLOE_ECHO_STARTUP_MS: "0" }, undefined);
    const again = spawnInstance(descriptor, { FLOE_ECHO_STARTUP_MS: "0" }, undefined);
    expect([other === early, same === early, again === early]).toEqual([false, true, false]);
    for (const instance of [other, same, again]) await stop(instance);
  });

  it("discardPrestarted ends a process nobody took and removes its directory", async () => {
    const descriptor = tsEchoDescriptor();
    const early = prestartInstance(descriptor, {}, undefined);
    discardPrestarted();
    const exit = await early.exited;
    expect(exit.code === 0 || exit.signal === "SIGTERM").toBe(true);
    expect(existsSync(early.dir)).toBe(false);
    // Nothing is left to take over: the next spawn is a new process.
    const next = spawnInstance(descriptor, {}, undefined);
    expect(next).not.toBe(early);
    await stop(next);
  });
});
