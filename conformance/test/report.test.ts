// Pure parts of the suite: option parsing, command splitting, test selection,
// dialect choice and the three report renderings.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { deselectionReason, type TestOutcome } from "../src/framework.js";
import { parseOptions, UsageError } from "../src/options.js";
import { buildReport, renderJUnit, renderText } from "../src/report.js";
import { chooseDialect } from "../src/run.js";
import { splitCommand } from "../src/spawn.js";

describe("splitCommand", () => {
  it("splits on whitespace and keeps quoted words whole", () => {
    expect(splitCommand(`python -m  "my plugin" 'a b' c\\ d "x\\"y"`)).toEqual([
      "python",
      "-m",
      "my plugin",
      "a b",
      "c d",
      'x"y',
    ]);
  });

  it("rejects an unbalanced quote", () => {
    expect(() => splitCommand(`node "plugin.mjs`)).toThrow(
      'unbalanced " quote in the plugin command',
    );
  });
});

describe("parseOptions", () => {
  it("reads a provider, a dialect, patterns and outputs", () => {
    const options = parseOptions([
      "--provider",
      "floe_sql",
      "--dialect",
      "postgres",
      "--pg-dsn",
      "postgresql://u@h/db",
      "--focus",
      "^run-checks",
      "--skip",
      "between",
      "--junit",
      "out.xml",
      "--json",
    ]);
    expect(options?.target).toEqual({ kind: "provider", provider: "floe_sql" });
    expect(options?.dialect).toBe("postgres");
    expect(options?.focus.map((p) => p.source)).toEqual(["^run-checks"]);
    expect(options?.skip.map((p) => p.source)).toEqual(["between"]);
    expect(options?.junit).toBe("out.xml");
    expect(options?.json).toBe(true);
  });

  it("returns undefined for --help", () => {
    expect(parseOptions(["--help"])).toBeUndefined();
  });

  it.each([
    [[], "give exactly one of --provider, --plugin-cmd, --plugin-addr"],
    [
      ["--provider", "a", "--plugin-cmd", "b"],
      "give exactly one of --provider, --plugin-cmd, --plugin-addr",
    ],
    [["--provider", "a", "--dialect", "postgres"], "--dialect postgres needs --pg-dsn"],
    [
      ["--provider", "a", "--focus", "("],
      '--focus "(": Invalid regular expression: /(/i: Unterminated group',
    ],
  ])("rejects %j", (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });
});

describe("deselectionReason", () => {
  const id = "run-checks › between";
  it("keeps every test without patterns", () => {
    expect(deselectionReason(id, { focus: [], skip: [] })).toBeUndefined();
  });
  it("leaves out what --focus does not match, and what --skip matches", () => {
    expect(deselectionReason(id, { focus: [/^metadata/i], skip: [] })).toBe(
      "not selected by --focus",
    );
    expect(deselectionReason(id, { focus: [/run-checks/i], skip: [/between/i] })).toBe(
      "excluded by --skip between",
    );
  });
});

describe("chooseDialect", () => {
  it("takes the first claimed dialect the suite provides", () => {
    expect(chooseDialect(["postgres", "duckdb"], ["duckdb", "postgres"], undefined)).toEqual({
      dialect: "duckdb",
    });
    expect(chooseDialect(["postgres"], ["duckdb", "postgres"], undefined)).toEqual({
      dialect: "postgres",
    });
  });
  it("says why there is none", () => {
    expect(chooseDialect(["postgres"], ["duckdb"], undefined)).toEqual({
      problem: "the plugin claims postgres; the suite provides duckdb (and postgres with --pg-dsn)",
    });
    expect(chooseDialect(["duckdb"], ["duckdb", "postgres"], "postgres")).toEqual({
      problem: "the plugin does not claim --dialect postgres (it claims: duckdb)",
    });
  });
});

const outcomes: TestOutcome[] = [
  {
    group: "metadata",
    name: "names itself",
    id: "metadata › names itself",
    status: "passed",
    durationMs: 3,
  },
  {
    group: "metadata",
    name: 'version <is> "semver" & more',
    id: "metadata › version",
    status: "failed",
    durationMs: 5,
    failure: { message: "version", expected: "semver, e.g. 0.1.0", actual: "late\u0001st" },
  },
  {
    group: "metadata",
    name: "fail-fast",
    id: "metadata › fail-fast",
    status: "skipped",
    durationMs: 0,
    reason: "capabilities.fail_fast is not claimed",
  },
];

const report = buildReport({
  target: "node plugin.mjs",
  metadata: undefined,
  dialect: "duckdb",
  startupProblem: undefined,
  startedAt: new Date("2026-11-25T10:00:00.000Z"),
  durationMs: 1234.4,
  groups: [{ name: "metadata", about: "GetMetadata", outcomes }],
});

describe("the report", () => {
  it("totals per group and overall; passed only without failures", () => {
    expect(report.totals).toEqual({ passed: 1, failed: 1, skipped: 1 });
    expect(report.groups[0]?.totals).toEqual({ passed: 1, failed: 1, skipped: 1 });
    expect(report.passed).toBe(false);
    expect(report.duration_ms).toBe(1234);
  });

  it("renders failures with expectation and actual, skips with their reason", () => {
    const text = renderText(report);
    expect(text).toContain("metadata — GetMetadata  (1 passed, 1 failed, 1 skipped)");
    expect(text).toContain(
      '  FAIL version <is> "semver" & more  5 ms\n       version\n       expected: semver, e.g. 0.1.0',
    );
    expect(text).toContain(
      "  skip fail-fast\n       reason: capabilities.fail_fast is not claimed",
    );
    expect(text.endsWith("FAIL: 1 passed, 1 failed, 1 skipped in 1.2 s")).toBe(true);
  });

  it("renders valid JUnit XML, escaping markup and dropping control characters", () => {
    const xml = renderJUnit(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    expect(doc.testsuites).toMatchObject({
      tests: "3",
      failures: "1",
      skipped: "1",
      time: "1.234",
    });
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases[1].name).toBe('version <is> "semver" & more');
    expect(cases[1].failure.message).toBe("version");
    expect(cases[1].failure["#text"]).toBe(
      "version\nexpected: semver, e.g. 0.1.0\nactual:   latest",
    );
    expect(cases[2].skipped.message).toBe("capabilities.fail_fast is not claimed");
  });
});

describe("a run where nothing ran", () => {
  it("is not a pass", () => {
    const empty = buildReport({
      target: "node plugin.mjs",
      metadata: undefined,
      dialect: undefined,
      startupProblem: undefined,
      startedAt: new Date(0),
      durationMs: 0,
      groups: [{ name: "metadata", about: "GetMetadata", outcomes: [outcomes[2]!] }],
    });
    expect(empty.totals).toEqual({ passed: 0, failed: 0, skipped: 1 });
    expect(empty.passed).toBe(false);
  });
});
