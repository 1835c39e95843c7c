// Many models per run: `run --all` runs the example project's models at once
// and rolls their exit codes up, `--select` picks by tier, tag and glob,
// progress is drawn on a terminal (a real pseudo-terminal through util-linux
// `script`) and is never mixed into --json, and --junit writes a report CI reads.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { CLI, compileShop, floeQuality } from "./support.js";

vi.setConfig({ testTimeout: 90_000 });

let dir: string;
let artifacts: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-many-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  artifacts = await compileShop(dir, "dialect: duckdb\npath: warehouse.duckdb");
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = (file: string) => ({
  FLOE_LINEAGE_TRANSPORT: "file",
  FLOE_LINEAGE_FILE: join(dir, file),
});

async function events(file: string): Promise<Array<{ eventType: string; job: { name: string } }>> {
  return (await readFile(join(dir, file), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

// biome-ignore lint/suspicious/noExplicitAny: JSON documents as printed
type Json = any;

describe("run --all", () => {
  it("runs every model concurrently, one summary, the worst exit code", async () => {
    const run = await floeQuality(["run", "--artifacts", artifacts, "--all", "--threads", "3"], {
      cwd: dir,
      env: env("all.jsonl"),
    });
    expect(run.code).toBe(1);
    const summary = run.stdout.slice(run.stdout.lastIndexOf("model "));
    expect(summary.split("\n").map((l) => l.replace(/ +/g, " ").trim())).toEqual([
      "model tier checks dbt tests score verdict note",
      "customers gold 8/13 - 67.33 FAIL",
      "orders silver 8/10 - 83.57 WARN",
      "order_events bronze 4/4 - 100 PASS",
      "exit code 1",
      "",
    ]);
    // Concurrent: all three runs started before the first one ended.
    const kinds = (await events("all.jsonl")).map((e) => e.eventType);
    expect(kinds.slice(0, 3)).toEqual(["START", "START", "START"]);
  });

  it("with --threads 1 runs one model after the other", async () => {
    await floeQuality(["run", "--artifacts", artifacts, "--all", "--threads", "1", "--quiet"], {
      cwd: dir,
      env: env("serial.jsonl"),
    });
    expect((await events("serial.jsonl")).map((e) => e.eventType)).toEqual([
      "START",
      "FAIL",
      "START",
      "COMPLETE",
      "START",
      "COMPLETE",
    ]);
  });

  it("prints one JSON document for every model; progress lines stay on stderr", async () => {
    const run = await floeQuality(["run", "--artifacts", artifacts, "--all", "--json"], {
      cwd: dir,
      env: env("json.jsonl"),
    });
    const report = JSON.parse(run.stdout);
    expect(report.exit_code).toBe(1);
    expect(report.runs.map((r: Json) => [r.model, r.verdict])).toEqual([
      ["customers", "fail"],
      ["orders", "warn"],
      ["order_events", "pass"],
    ]);
    expect(run.stderr.trim().split("\n")).toHaveLength(13 + 10 + 5);
    expect(run.stderr).not.toMatch(/[█░\r]/);
  });
});

describe("run --select", () => {
  it("tier:gold selects the gold model only", async () => {
    const run = await floeQuality(
      ["run", "--artifacts", artifacts, "--select", "tier:gold", "--json", "--quiet"],
      { cwd: dir, env: env("gold.jsonl") },
    );
    const report = JSON.parse(run.stdout);
    expect(report.runs.map((r: Json) => r.model)).toEqual(["customers"]);
    expect(run.code).toBe(1);
  });

  it("tag:finance selects the models tagged so in floe.yaml", async () => {
    const run = await floeQuality(
      ["run", "--artifacts", artifacts, "--select", "tag:finance", "--json", "--quiet"],
      { cwd: dir, env: env("tag.jsonl") },
    );
    expect(JSON.parse(run.stdout).runs.map((r: Json) => r.model)).toEqual(["orders"]);
    expect(run.code).toBe(0);
  });

  it("globs and names, comma-separated, in the artifacts' order", async () => {
    const run = await floeQuality(
      ["run", "--artifacts", artifacts, "--select", "order*,customers", "--json", "--quiet"],
      { cwd: dir, env: env("glob.jsonl") },
    );
    expect(JSON.parse(run.stdout).runs.map((r: Json) => r.model)).toEqual([
      "customers",
      "orders",
      "order_events",
    ]);
  });

  it("a selector that matches nothing is a usage error naming it", async () => {
    const run = await floeQuality(["run", "--artifacts", artifacts, "--select", "tier:platinum"], {
      cwd: dir,
      env: env("none.jsonl"),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error FLOE-DQ100 models: --select tier:platinum matches no model/);
  });
});

/** The CLI under a pseudo-terminal (util-linux `script`): what a person at a terminal sees. */
function onTerminal(args: string[]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
  return new Promise((done) => {
    execFile(
      "script",
      ["-qfec", command, "/dev/null"],
      {
        cwd: dir,
        env: { ...process.env, FLOE_LINEAGE_TRANSPORT: "none", COLUMNS: "160", TERM: "xterm" },
        timeout: 90_000,
      },
      (error, stdout) =>
        done({ code: error ? Number(error.code ?? -1) : 0, output: stdout.toString() }),
    );
  });
}

describe("progress on a terminal", () => {
  it("draws a bar per model on a TTY", async () => {
    const { code, output } = await onTerminal(["run", "--artifacts", artifacts, "--all"]);
    expect(code).toBe(1);
    expect(output).toMatch(/customers +\[[█░]+\] 13\/13/);
    expect(output).toMatch(/orders +\[[█░]+\] 10\/10/);
    expect(output).toMatch(/order_events +\[[█░]+\] 5\/5/);
  });

  it("draws no bars with --json, even on a TTY", async () => {
    const { output } = await onTerminal(["run", "--artifacts", artifacts, "--all", "--json"]);
    expect(output).not.toMatch(/[█░]/);
    expect(output).toContain('"exit_code": 1');
  });
});

describe("--junit", () => {
  it("writes one testsuite per model, failures and skips counted", async () => {
    const file = join(dir, "reports", "quality.xml");
    await floeQuality(["run", "--artifacts", artifacts, "--all", "--quiet", "--junit", file], {
      cwd: dir,
      env: env("junit.jsonl"),
    });
    const xml = new XMLParser({ ignoreAttributes: false }).parse(await readFile(file, "utf8"));
    const suites = xml.testsuites.testsuite as Json[];
    expect(
      suites.map((s) => [
        s["@_name"],
        s["@_tests"],
        s["@_failures"],
        s["@_errors"],
        s["@_skipped"],
      ]),
    ).toEqual([
      ["customers", "13", "5", "0", "0"],
      ["orders", "10", "2", "0", "0"],
      ["order_events", "5", "0", "0", "1"],
    ]);
    const currency = suites[1].testcase.find((t: Json) => t["@_name"] === "currency_known");
    expect(currency.failure["@_type"]).toBe("FLOE-DQ102");
    expect(currency.failure["#text"]).toContain('samples: "JPY"');
  });
});
