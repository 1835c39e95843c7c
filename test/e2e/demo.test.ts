// The README's first job: `floe-quality demo` from an empty directory checks every
// model of the example on an embedded DuckDB warehouse through the real floe_sql
// plugin process, and writes its lineage to a file when asked.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { floeQuality } from "./support.js";

// Real processes on a shared 2-core machine: generous deadlines, never sleeps.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-demo-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("checks every model, prints scores and verdicts, exits 0, writes lineage to a file", async () => {
  const run = await floeQuality(["demo"], {
    cwd: dir,
    env: { FLOE_LINEAGE_TRANSPORT: "file", OPENLINEAGE_URL: "" },
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(
    "warehouse .floe/demo/warehouse.duckdb: customers (10 rows), orders (12 rows), order_events (20 rows)\n",
  );
  const verdicts = [...run.stdout.matchAll(/^ {2}score (\S+) → (\w+)/gm)].map((m) => [m[1], m[2]]);
  expect(verdicts).toEqual([
    ["67.33", "FAIL"],
    ["83.57", "WARN"],
    ["100", "PASS"],
  ]);
  expect(run.stdout).toMatch(
    /^ {2}FAIL +email_unique +unique +email +consistency +warning +2\/10$/m,
  );
  expect(run.stdout).toMatch(
    /^ {2}skip +payload_not_blank +expression_is_true +\(table\) +validity +warning +the check is disabled$/m,
  );
  const events = (await readFile(join(dir, ".floe/demo/lineage.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(events.map((e) => [e.eventType, e.job.name])).toEqual([
    ["START", "customers.quality"],
    ["FAIL", "customers.quality"],
    ["START", "orders.quality"],
    ["COMPLETE", "orders.quality"],
    ["START", "order_events.quality"],
    ["COMPLETE", "order_events.quality"],
  ]);
});
