// The command line: bad targets are reported clearly and never hang, usage
// mistakes exit 2, --json and --junit are well-formed, and `floe-quality
// conformance` reaches the same program.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import type { ConformanceReport } from "../src/report.js";

const ROOT = join(import.meta.dirname, "../..");
const CLI = join(ROOT, "conformance/bin/floe-quality-conformance.js");
const FIXTURES = join(import.meta.dirname, "fixtures");
const work = mkdtempSync(join(tmpdir(), "floe-conformance-cli-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to its end; the test timeout is the bound on "never hangs". */
function run(file: string, args: string[]): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

const reference = `${process.execPath} ${join(FIXTURES, "reference.mjs")}`;

describe("bad input", () => {
  it("a plugin command that does not exist: FLOE-DQ001 naming it, exit 1, no stack trace", async () => {
    const r = await run(CLI, ["--plugin-cmd", "/nonexistent/floe-plugin --flag"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "FLOE-DQ001: plugin command '/nonexistent/floe-plugin' was not found",
    );
    expect(r.stderr).toContain("fix:");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an address nobody listens on: the connection failure in the report, exit 1", async () => {
    const socket = join(work, "nobody-listens.sock");
    const r = await run(CLI, ["--plugin-addr", `unix://${socket}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`could not start the plugin: plugin unix://${socket}`);
    expect(r.stdout).toContain(
      "  FAIL reports SERVING for floe.quality.v1.QualityPluginService within 5 s of starting",
    );
    expect(r.stdout).toMatch(/FAIL: 0 passed, 1 failed, \d+ skipped/);
  }, 30_000);

  it("a plugin that prints a megabyte before any handshake: reported, exit 1, no hang", async () => {
    const r = await run(CLI, [
      "--plugin-cmd",
      `${process.execPath} ${join(FIXTURES, "megabyte-stdout.mjs")}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("printed no handshake line within 10000 ms");
    expect(r.stdout).toContain("wrote 65536 bytes to stdout without a newline");
  }, 90_000);

  it("no target, two targets or an unknown dialect: usage error, exit 2", async () => {
    const none = await run(CLI, []);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("give exactly one of --provider, --plugin-cmd, --plugin-addr");
    const two = await run(CLI, ["--provider", "a", "--plugin-addr", "b:1"]);
    expect(two.code).toBe(2);
    const dialect = await run(CLI, ["--provider", "a", "--dialect", "oracle"]);
    expect(dialect.code).toBe(2);
    expect(dialect.stderr).toContain("--dialect oracle: expected one of duckdb, postgres, spark");
  });

  it("an unknown provider: FLOE-DQ001 listing the known ones, exit 1", async () => {
    const r = await run(CLI, ["--provider", "no_such_provider"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown quality provider 'no_such_provider'");
  });
});

describe("reports", () => {
  it("--json prints the documented document and --junit writes valid JUnit XML", async () => {
    const junit = join(work, "report.xml");
    const r = await run(CLI, [
      "--plugin-cmd",
      reference,
      "--focus",
      "^metadata",
      "--json",
      "--junit",
      junit,
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ConformanceReport;
    expect(report.format).toBe("floe-quality-conformance/v1");
    expect(report.passed).toBe(true);
    expect(report.plugin?.name).toBe("reference");
    expect(report.totals).toEqual({ passed: 6, failed: 0, skipped: 68 });
    expect(report.groups.map((g) => g.name)).toEqual([
      "handshake",
      "health",
      "metadata",
      "capabilities-honest",
      "validate-config",
      "validate-suite",
      "errors",
      "run-checks",
      "result-shape",
      "failing-samples",
      "fail-fast",
      "concurrency",
      "robustness",
      "deadline",
      "logs",
      "lifecycle",
    ]);
    const skipped = report.groups[0]!.tests[0]!;
    expect(skipped).toMatchObject({ status: "skipped", reason: "not selected by --focus" });

    const xml = readFileSync(junit, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    expect(doc.testsuites.tests).toBe("74");
    expect(doc.testsuites.failures).toBe("0");
    expect(doc.testsuites.skipped).toBe("68");
    expect(doc.testsuites.testsuite).toHaveLength(16);
  }, 60_000);

  it("a failing plugin: exit 1, the failure in the text report with expected and actual", async () => {
    const broken = `${process.execPath} ${join(FIXTURES, "broken", "bad-version.mjs")}`;
    const junit = join(work, "failing.xml");
    const r = await run(CLI, ["--plugin-cmd", broken, "--focus", "^metadata", "--junit", junit]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("  FAIL version is a semantic version");
    expect(r.stdout).toContain("expected: semver, e.g. 0.1.0");
    expect(r.stdout).toContain("actual:   latest");
    expect(r.stdout).toContain("FAIL: 5 passed, 1 failed, 68 skipped");
    const xml = readFileSync(junit, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<failure message="version" type="ExpectationFailure">');
  }, 60_000);

  it("floe-quality conformance runs the same program", async () => {
    const r = await run(join(ROOT, "host/bin/floe-quality.js"), ["conformance", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: floe-quality-conformance");
  });
});
