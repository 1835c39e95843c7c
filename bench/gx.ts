// The great_expectations plugin against plain Great Expectations: the same
// 50-expectation suite on the same 1 M row PostgreSQL table, run by a plain GX
// script (bench/gx_plain.py) and through the host (supervisor + gRPC + the
// plugin's mapping). Prints spawn-to-SERVING and the per-run times.
//   npx tsx bench/gx.ts            (BENCH_ROWS, BENCH_RUNS to change the size)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { contract } from "@floe/quality-sdk";
import pg from "pg";
import { discoverPlugins, resolveProvider, startPlugin } from "../host/src/plugins/index.js";
import { startPostgres } from "../test/support/postgres.js";

const ROOT = resolve(import.meta.dirname, "..");
const PYTHON = join(ROOT, ".venv/bin/python");
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TABLE = "bench_orders";

interface Pair {
  floe: { type: string; column?: string; parameters?: Record<string, unknown> };
  gx: { type: string; kwargs: Record<string, unknown> };
}

const col = (
  type: string,
  column: string,
  parameters: Record<string, unknown>,
  gxType: string,
  kwargs: Record<string, unknown>,
): Pair => ({
  floe: { type, column, parameters },
  gx: { type: gxType, kwargs: { column, ...kwargs } },
});

// 50 expectations over ten columns: row-level, set, aggregate and schema checks.
function suite(): Pair[] {
  const pairs: Pair[] = [];
  for (const c of [
    "id",
    "customer_id",
    "amount",
    "qty",
    "status",
    "email",
    "created_at",
    "shipped_at",
  ]) {
    pairs.push(col("not_null", c, {}, "expect_column_values_to_not_be_null", {}));
  }
  for (const [c, lo, hi] of [
    ["amount", 0, 90],
    ["amount", 10, 100],
    ["qty", 1, 49],
    ["qty", 0, 40],
    ["score", 0, 0.9],
    ["score", 0.1, 1],
    ["customer_id", 0, 900],
    ["customer_id", 1, 999],
  ] as const) {
    pairs.push(
      col("between", c, { min_value: lo, max_value: hi }, "expect_column_values_to_be_between", {
        min_value: lo,
        max_value: hi,
      }),
    );
  }
  for (const values of [
    ["paid", "refunded", "cancelled"],
    ["paid", "refunded", "cancelled", "bogus"],
  ]) {
    pairs.push(
      col("accepted_values", "status", { values }, "expect_column_values_to_be_in_set", {
        value_set: values,
      }),
    );
  }
  for (const values of [["bogus"], ["void"]]) {
    pairs.push(
      col("not_accepted_values", "status", { values }, "expect_column_values_to_not_be_in_set", {
        value_set: values,
      }),
    );
  }
  for (const regex of ["^user[0-9]+@x[.]io$", "@"]) {
    pairs.push(col("regex", "email", { regex }, "expect_column_values_to_match_regex", { regex }));
  }
  for (const [lo, hi] of [
    [2, 3],
    [1, 4],
  ] as const) {
    pairs.push(
      col(
        "length_between",
        "code",
        { min_value: lo, max_value: hi },
        "expect_column_value_lengths_to_be_between",
        { min_value: lo, max_value: hi },
      ),
    );
  }
  pairs.push(col("unique", "id", {}, "expect_column_values_to_be_unique", {}));
  pairs.push({
    floe: { type: "compound_unique", parameters: { columns: ["customer_id", "qty"] } },
    gx: {
      type: "expect_compound_columns_to_be_unique",
      kwargs: { column_list: ["customer_id", "qty"] },
    },
  });
  for (const orEqual of [true, false]) {
    pairs.push({
      floe: {
        type: "pair_greater_than",
        parameters: { column_a: "shipped_at", column_b: "created_at", or_equal: orEqual },
      },
      gx: {
        type: "expect_column_pair_values_a_to_be_greater_than_b",
        kwargs: { column_A: "shipped_at", column_B: "created_at", or_equal: orEqual },
      },
    });
  }
  for (const what of ["mean", "min", "max", "sum", "stdev"]) {
    for (const c of ["amount", "qty", "score"]) {
      pairs.push(
        col(`${what}_between`, c, { min_value: 0 }, `expect_column_${what}_to_be_between`, {
          min_value: 0,
        }),
      );
    }
  }
  pairs.push(
    col(
      "distinct_count_between",
      "status",
      { min_value: 3, max_value: 4 },
      "expect_column_unique_value_count_to_be_between",
      { min_value: 3, max_value: 4 },
    ),
  );
  pairs.push(
    col(
      "distinct_count_between",
      "customer_id",
      { min_value: 900 },
      "expect_column_unique_value_count_to_be_between",
      { min_value: 900 },
    ),
  );
  pairs.push({
    floe: { type: "row_count_between", parameters: { min_value: ROWS } },
    gx: { type: "expect_table_row_count_to_be_between", kwargs: { min_value: ROWS } },
  });
  for (const c of ["id", "email", "code", "score"]) {
    pairs.push(col("column_exists", c, {}, "expect_column_to_exist", {}));
  }
  return pairs;
}

interface PlainResult {
  import_ms: number;
  runs_ms: number[];
  results: Array<{ index: number; success: boolean; unexpected_count: number | null }>;
}

/** One plain GX process: a warm-up validation, then one timed validation. */
function runPlainGx(url: string, expectationsFile: string): PlainResult {
  const out = execFileSync(
    PYTHON,
    [join(ROOT, "bench/gx_plain.py"), url, TABLE, expectationsFile, "1"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(out) as PlainResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const pairs = suite();
  if (pairs.length !== 50) throw new Error(`the suite has ${pairs.length} expectations, not 50`);
  const work = mkdtempSync(join(tmpdir(), "floe-bench-gx-"));
  const server = await startPostgres();
  try {
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.user,
      database: server.database,
    });
    await client.connect();
    await client.query(`
      create table ${TABLE} as
      select g as id, g % 1000 as customer_id, (g % 1000) / 10.0::float8 as amount, g % 50 as qty,
             (array['paid','refunded','cancelled','bogus'])[g % 4 + 1] as status,
             case when g % 100 = 0 then null else 'user' || g || '@x.io' end as email,
             substr(md5(g::text), 1, g % 4 + 1) as code,
             timestamp '2026-01-01' + g * interval '1 second' as created_at,
             timestamp '2026-01-01' + g * interval '1 second' + (g % 10 - 1) * interval '1 hour' as shipped_at,
             (g % 997) / 997.0::float8 as score
      from generate_series(1, ${ROWS}) as g`);
    await client.query(`analyze ${TABLE}`);
    await client.end();

    const expectationsFile = join(work, "expectations.json");
    writeFileSync(expectationsFile, JSON.stringify(pairs.map((p) => p.gx)));
    const url = `postgresql+psycopg2://${server.user}@${server.host}:${server.port}/${server.database}`;
    const descriptor = resolveProvider(
      discoverPlugins({ workspaceRoot: ROOT, env: {} }),
      "great_expectations",
    );
    // GX takes seconds to import; the bench waits for it rather than the default 5 s.
    const spawned = performance.now();
    const plugin = await startPlugin(descriptor, {
      healthTimeoutMs: 60_000,
      onLog: () => undefined,
    });
    const request = contract.RunChecksRequest.fromPartial({
      suite: {
        modelName: TABLE,
        checks: pairs.map((p, i) => ({ name: `check_${i}`, enabled: true, column: "", ...p.floe })),
      },
      connection: {
        dialect: "postgres",
        host: server.host,
        port: server.port,
        user: server.user,
        database: server.database,
      },
      relation: TABLE,
      options: { maxFailingSamples: 5 },
    });
    let summary = await plugin.client.runChecks(request, { timeoutMs: 600_000 });
    // GX loads in the background after SERVING: the first run waits for it.
    const firstRunDoneMs = performance.now() - spawned;
    // Rounds alternate a plain GX run and a plugin run, so a change in the machine's
    // load during the bench weighs on both sides alike.
    const plainRuns: number[] = [];
    const pluginRuns: number[] = [];
    let plain: PlainResult | undefined;
    for (let i = 0; i < RUNS; i++) {
      plain = runPlainGx(url, expectationsFile);
      plainRuns.push(...plain.runs_ms);
      const t = performance.now();
      summary = await plugin.client.runChecks(request, { timeoutMs: 600_000 });
      pluginRuns.push(performance.now() - t);
    }
    if (plain === undefined) throw new Error("BENCH_RUNS must be at least 1");
    const timings = plugin.timings;
    await plugin.stop();

    const mismatches = pairs.filter((_, i) => {
      const mine = summary.checks.find((c) => c.checkName === `check_${i}`);
      const theirs = plain.results[i];
      return (
        mine === undefined ||
        theirs === undefined ||
        mine.passed !== theirs.success ||
        (theirs.unexpected_count !== null && mine.recordsFailed !== theirs.unexpected_count)
      );
    }).length;
    const plainMedian = median(plainRuns);
    const pluginMedian = median(pluginRuns);
    const rows: Array<[string, string]> = [
      ["table rows", ROWS.toLocaleString("en-US")],
      ["expectations", String(pairs.length)],
      ["rounds (plain GX run, plugin run; after warm-ups)", String(RUNS)],
      ["plain GX: import great_expectations", fmt(plain.import_ms)],
      ["plugin: spawn to handshake", fmt(timings.handshakeMs)],
      ["plugin: spawn to SERVING (metadata answered, GX loading)", fmt(timings.servingMs)],
      ["plugin: spawn to first run done (GX loaded + 1 run)", fmt(firstRunDoneMs)],
      ["plain GX validation, median", `${fmt(plainMedian)}  (${plainRuns.map(fmt).join(", ")})`],
      [
        "plugin via host + gRPC, median",
        `${fmt(pluginMedian)}  (${pluginRuns.map(fmt).join(", ")})`,
      ],
      [
        "plugin overhead",
        `${(((pluginMedian - plainMedian) / plainMedian) * 100).toFixed(1)} %  (target ≤ 10 %)`,
      ],
      ["results differing from plain GX", String(mismatches)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
