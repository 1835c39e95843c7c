// The traceability table of docs/conformance.md against the rules it traces: every
// tagged requirement of docs/plugin-protocol.md and field rule of plugin.proto has
// exactly one row, every row names real suite tests (or says why it cannot), and
// no MUST or SHOULD paragraph of the protocol is left untagged.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testId } from "../src/framework.js";
import { GROUPS } from "../src/suites/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const protocol = read("docs/plugin-protocol.md");
const proto = read("proto/floe/quality/v1/plugin.proto");
const conformance = read("docs/conformance.md");

const TAG = /\[([PF]-\d+)\]/g;
const tagsIn = (text: string) => [...text.matchAll(TAG)].map((m) => m[1]!);

interface Row {
  readonly id: string;
  readonly tests: string[];
  readonly reason: string | undefined;
}

function tableRows(): Row[] {
  const section = conformance.slice(conformance.indexOf("## Traceability"));
  const end = section.indexOf("\n## ", 3);
  return (end < 0 ? section : section.slice(0, end))
    .split("\n")
    .filter((line) => /^\| [PF]-\d+ \|/.test(line))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replaceAll("\\|", "|"));
      const checkedBy = cells[2] ?? "";
      const tests = [...checkedBy.matchAll(/`([^`]+ › [^`]+)`/g)].map((m) => m[1]!);
      const reason = /^(Outside|Gap): \S/.test(checkedBy) ? checkedBy : undefined;
      return { id: cells[0]!, tests: reason === undefined ? tests : [], reason };
    });
}

/** Paragraphs and list items of the protocol document, code blocks left out. */
function paragraphs(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  return withoutCode.split(/\n\s*\n|\n(?=\s*(?:\d+\.|-) )/).filter((p) => p.trim() !== "");
}

const suiteTests = new Set(GROUPS.flatMap((g) => g.tests.map((t) => testId(g.name, t.name))));

describe("the traceability table of the conformance suite", () => {
  const rows = tableRows();
  const rules = [...new Set([...tagsIn(protocol), ...tagsIn(proto)])];

  it("finds the tagged rules and the table", () => {
    expect(rules.filter((r) => r.startsWith("P-")).length).toBeGreaterThanOrEqual(41);
    expect(rules.filter((r) => r.startsWith("F-")).length).toBeGreaterThanOrEqual(12);
    expect(rows.length).toBeGreaterThanOrEqual(53);
  });

  it("tags every paragraph of the protocol that says MUST or SHOULD", () => {
    const untagged = paragraphs(protocol).filter(
      (p) => /\b(MUST|SHOULD)\b/.test(p) && tagsIn(p).length === 0,
    );
    expect(untagged).toEqual([]);
  });

  it("numbers the rules without gaps or reuse in each document", () => {
    for (const [prefix, text] of [
      ["P", protocol],
      ["F", proto],
    ] as const) {
      const numbers = [...new Set(tagsIn(text).filter((t) => t.startsWith(`${prefix}-`)))]
        .map((t) => Number(t.slice(2)))
        .sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    }
  });

  it("has exactly one row per rule, and no row for a rule that does not exist", () => {
    const ids = rows.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(rules.filter((r) => !ids.includes(r))).toEqual([]);
    expect(ids.filter((id) => !rules.includes(id))).toEqual([]);
  });

  it("names, in each row, suite tests that exist, or the reason there is none", () => {
    const problems = rows.flatMap((row) => {
      if (row.reason !== undefined) return [];
      if (row.tests.length === 0) return [`${row.id}: neither a test nor an Outside/Gap reason`];
      return row.tests.filter((t) => !suiteTests.has(t)).map((t) => `${row.id}: no test ${t}`);
    });
    expect(problems).toEqual([]);
  });

  it("lists the gaps still open (a gap closed must be turned into a row with its test)", () => {
    expect(rows.filter((r) => r.reason?.startsWith("Gap")).map((r) => r.id)).toEqual([]);
  });
});
