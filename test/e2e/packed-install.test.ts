// The CLI as another project installs it: the workspaces packed into tarballs
// from this checkout (scripts/pack.sh), installed with npm into an empty
// directory outside the repository (dependencies from the npm registry or its
// cache), then `floe-quality demo`, `plugins list` and runs from there.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROOT, runCommand } from "./support.js";

// npm and real plugin processes on a shared 2-core machine: generous deadlines.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 600_000 });

let dir: string;
let project: string;
let tarballs: string[];

/** The environment of a user's shell: nothing pointing back into the repository. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FLOE_LINEAGE_TRANSPORT: "none" };
  for (const name of Object.keys(env)) {
    if (name.startsWith("FLOE_PLUGIN") || name === "FLOE_PYTHON") delete env[name];
    if (name.startsWith("npm_") || name === "INIT_CWD" || name === "NODE_PATH") delete env[name];
  }
  return env;
}

const exec = (file: string, args: string[], cwd: string, timeoutMs = 120_000) =>
  runCommand(file, args, { cwd, env: userEnv(), timeoutMs });

/** The installed `floe-quality` binary, as `npm exec` would run it. */
const installed = (args: string[], cwd = project) =>
  exec(join(project, "node_modules", ".bin", "floe-quality"), args, cwd);

beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "floe-packed-")));
  const packed = await exec(
    "bash",
    [join(ROOT, "scripts/pack.sh"), join(dir, "packages"), "--no-build"],
    ROOT,
  );
  if (packed.code !== 0) throw new Error(`pack failed: ${packed.stderr}`);
  tarballs = packed.stdout.trim().split("\n");
  project = join(dir, "shop");
  await mkdir(project);
  await writeFile(join(project, "package.json"), '{"name": "shop", "private": true}\n');
  const install = await exec(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs],
    project,
    540_000,
  );
  if (install.code !== 0) throw new Error(`npm install failed: ${install.stderr}`);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the packed packages installed into an empty project", () => {
  it("packs the five workspaces; the host carries the examples and the proto files", async () => {
    expect(tarballs.map((t) => t.slice(dir.length + 1))).toEqual([
      "packages/floe-quality-sdk-0.1.0.tgz",
      "packages/floe-quality-host-0.1.0.tgz",
      "packages/floe-quality-plugin-sql-0.1.0.tgz",
      "packages/floe-quality-plugin-dbt-0.1.0.tgz",
      "packages/floe-quality-conformance-0.1.0.tgz",
    ]);
    const host = join(project, "node_modules/@floe/quality-host");
    expect(await readFile(join(host, "examples/products/shop/floe.yaml"), "utf8")).toBe(
      await readFile(join(ROOT, "examples/products/shop/floe.yaml"), "utf8"),
    );
    expect(await readFile(join(host, "proto/floe/quality/v1/host.proto"), "utf8")).toBe(
      await readFile(join(ROOT, "proto/floe/quality/v1/host.proto"), "utf8"),
    );
  });

  it("reports its version and the contract versions it speaks", async () => {
    const version = await installed(["--version"]);
    expect(version.stdout).toBe(
      "floe-quality 0.1.0 (contract floe.quality.v1, plugin API 1.0.0, artifacts 0.4.0)\n",
    );
  });

  it("runs `npx floe-quality demo` with the installed floe_sql", async () => {
    const demo = await exec("npx", ["--offline", "floe-quality", "demo"], project);
    expect(demo.code).toBe(0);
    const verdicts = demo.stdout
      .split("\n")
      .filter((l) => / score .* → /.test(l))
      .map((l) => l.trim());
    expect(verdicts).toEqual([
      "score 67.33 → FAIL (score 67.33 is below the gold gate's min_score 90)",
      "score 83.57 → WARN (score 83.57 is below warn_score 85)",
      "score 100 → PASS",
    ]);
    expect(demo.stdout).toContain("customers (gold, floe_sql): 8 passed, 5 failed");
  });

  it("lists the installed plugins from any directory of the project", async () => {
    const sub = join(project, "pipelines", "nightly");
    await mkdir(sub, { recursive: true });
    const list = await installed(["plugins", "list"], sub);
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split("\n")).toEqual([
      "PROVIDER          VERSION  RUNTIME  API    SOURCE        DESCRIPTOR",
      `dbt_expectations  0.1.0    node     1.0.0  node_modules  ${project}/node_modules/@floe/quality-plugin-dbt/floe-plugin.json`,
      `floe_sql          0.1.0    node     1.0.0  node_modules  ${project}/node_modules/@floe/quality-plugin-sql/floe-plugin.json`,
    ]);
  });

  it("runs one model from the demo's compiled artifacts", async () => {
    const run = await installed([
      "run",
      "--artifacts",
      ".floe/demo/compiled_artifacts.json",
      "--model",
      "orders",
      "--json",
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.verdict).toBe("warn");
    expect(report.score.overall).toBeCloseTo(585 / 7, 10);
    expect(report.score.checks_failed).toBe(2);
  });

  it("scaffolds a one-file project with init and runs it with run --config", async () => {
    const init = await installed([
      "init",
      "--duckdb",
      ".floe/demo/warehouse.duckdb",
      "--out",
      "quality/floe.yaml",
    ]);
    expect(init.stdout).toBe(
      "wrote quality/floe.yaml: 3 models (customers, order_events, orders), 6 starter checks\n",
    );
    const run = await installed(["run", "--config", "quality/floe.yaml", "--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(
      report.runs.map((r: { model: string; verdict: string }) => [r.model, r.verdict]),
    ).toEqual([
      ["customers", "pass"],
      ["order_events", "pass"],
      ["orders", "pass"],
    ]);
  });
});
