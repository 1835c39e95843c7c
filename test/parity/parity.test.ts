// Cross-provider parity: the same table of cases run through floe_sql,
// great_expectations and dbt_expectations, on DuckDB and on PostgreSQL, and
// through floe_spark on the same tables as Parquet, as real plugin processes
// (one RunChecks per relation, provider and engine). Any outcome that differs from the table fails, unless DOCUMENTED_DIFFERENCES lists
// it with its reason, which docs/configuration.md must also carry.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { contract, lookupCheckType } from "@floe/quality-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckCase } from "../../conformance/src/fixture/data.js";
import { buildDuckDbFixture } from "../../conformance/src/fixture/duckdb.js";
import {
  customersRelation,
  type Fixture,
  fixtureCases,
} from "../../conformance/src/fixture/index.js";
import { buildPostgresFixture } from "../../conformance/src/fixture/postgres.js";
import { buildSparkFixture } from "../../conformance/src/fixture/spark.js";
import { checkOf } from "../../conformance/src/requests.js";
import { discoverPlugins, resolveProvider, startPlugin } from "../../host/src/plugins/index.js";
import { type PostgresServer, startPostgres } from "../support/postgres.js";
import {
  DOCUMENTED_DIFFERENCES,
  type Engine,
  EVENTS,
  edgeCases,
  eventsTable,
  type Provider,
  recencyCases,
} from "./cases.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PROVIDERS: Provider[] = ["floe_sql", "great_expectations", "dbt_expectations"];
const builtAt = Date.now();

let server: PostgresServer;
const fixtures = new Map<Engine, Fixture>();

beforeAll(async () => {
  server = await startPostgres();
  const dsn = await server.createDatabase("parity");
  fixtures.set("duckdb", await buildDuckDbFixture(builtAt, [eventsTable(builtAt)]));
  fixtures.set("postgres", await buildPostgresFixture(dsn, builtAt, [eventsTable(builtAt)]));
  fixtures.set("spark", await buildSparkFixture(builtAt, [eventsTable(builtAt)]));
}, 120_000);

afterAll(async () => {
  for (const fixture of fixtures.values()) await fixture.dispose();
  await server?.stop();
});

function observed(result: contract.QualityCheckResult | undefined, c: CheckCase): unknown {
  if (result === undefined) return "no result";
  if (
    result.status !== contract.CheckStatus.CHECK_STATUS_PASSED &&
    result.status !== contract.CheckStatus.CHECK_STATUS_FAILED
  ) {
    return `status ${result.status} ${result.errorCode}: ${result.errorMessage ?? ""}`;
  }
  return c.expected.records === undefined
    ? { passed: result.passed }
    : {
        passed: result.passed,
        records: { checked: result.recordsChecked, failed: result.recordsFailed },
      };
}

async function runCases(
  provider: Provider,
  fixture: Fixture,
  relation: string,
  cases: readonly CheckCase[],
): Promise<Map<string, contract.QualityCheckResult>> {
  const descriptor = resolveProvider(discoverPlugins({ workspaceRoot: ROOT }), provider);
  const plugin = await startPlugin(descriptor, { onLog: () => undefined });
  try {
    // A plugin runs the cases of the check types it declares; what it declines is
    // checked against the vocabulary's plugin column below, so declining cannot hide a difference.
    const declared = new Set((await plugin.client.getMetadata()).capabilities?.checkTypes ?? []);
    const run = cases.filter((c) => declared.has(c.type));
    if (run.length === 0) return new Map();
    const summary = await plugin.client.runChecks(
      {
        suite: {
          modelName: "parity",
          checks: run.map((c) => checkOf(c)),
          timeoutSeconds: 240,
          failFast: false,
          nativeSuite: "",
        },
        connection: fixture.connection,
        relation,
        options: { maxFailingSamples: 0, sensitiveColumns: [] },
        runId: `parity-${provider}`,
      },
      { timeoutMs: 240_000 },
    );
    return new Map(summary.checks.map((r) => [r.checkName, r]));
  } finally {
    await plugin.stop();
  }
}

/**
 * The types of the table a provider declines: exactly those the vocabulary's
 * plugin column says it declines (anomaly checks need the host's run history).
 */
function declinedBy(provider: Provider, types: string[]): string[] {
  return [...new Set(types)]
    .filter((type) => lookupCheckType(type)?.plugins[provider] !== "runs")
    .sort();
}

const RUNS: Array<[Provider, Engine]> = [
  ...(["duckdb", "postgres"] as Engine[]).flatMap((engine) =>
    PROVIDERS.map((provider): [Provider, Engine] => [provider, engine]),
  ),
  ["floe_spark", "spark"],
];

describe("cross-provider parity", () => {
  for (const [provider, engine] of RUNS) {
    it(`${provider} on ${engine} gives every case of the table its exact outcome`, async () => {
      const fixture = fixtures.get(engine) as Fixture;
      const customers = customersRelation(fixture);
      const table = [...fixtureCases(fixture), ...edgeCases(customers)];
      const recency = recencyCases(builtAt);
      const results = new Map([
        ...(await runCases(provider, fixture, customers, table)),
        ...(await runCases(provider, fixture, fixture.relation(EVENTS), recency)),
      ]);
      const differences: Record<string, { expected: unknown; actual: unknown }> = {};
      const declined = [...new Set([...table, ...recency].map((c) => c.type))]
        .filter(
          (type) => ![...table, ...recency].some((c) => c.type === type && results.has(c.name)),
        )
        .sort();
      expect(declined).toEqual(
        declinedBy(
          provider,
          [...table, ...recency].map((c) => c.type),
        ),
      );
      for (const c of [...table, ...recency]) {
        if (declined.includes(c.type)) continue;
        const actual = observed(results.get(c.name), c);
        const documented = DOCUMENTED_DIFFERENCES[`${provider}/${engine}/${c.name}`];
        const expected = documented ? documented.expected : c.expected;
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          differences[`${c.name} (${c.about})`] = { expected, actual };
        }
      }
      expect(differences).toEqual({});
    }, 300_000);
  }

  it("lists every documented difference in docs/configuration.md with its reason", () => {
    const docs = readFileSync(resolve(ROOT, "docs/configuration.md"), "utf8");
    for (const [key, { reason }] of Object.entries(DOCUMENTED_DIFFERENCES)) {
      expect(docs, key).toContain(reason);
    }
  });
});
