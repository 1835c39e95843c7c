// Runs the suite against one plugin: builds the fixtures, starts or dials the
// plugin through the host's supervisor, runs every group, cleans up.
import type { contract } from "@floe/quality-sdk";
import type { SuiteContext } from "./context.js";
import { buildDuckDbFixture } from "./fixture/duckdb.js";
import type { Dialect, Fixture } from "./fixture/index.js";
import { buildPostgresFixture } from "./fixture/postgres.js";
import { buildSparkFixture } from "./fixture/spark.js";
import { deselectionReason, runTest, type TestOutcome } from "./framework.js";
import type { ConformanceOptions } from "./options.js";
import { buildReport, type ConformanceReport } from "./report.js";
import { getMetadata } from "./rpc.js";
import { GROUPS } from "./suites/index.js";
import { type PluginSession, type PluginTarget, resolveTarget } from "./target.js";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The dialect the semantics groups use, or why there is none. */
export function chooseDialect(
  claimed: readonly string[],
  available: readonly Dialect[],
  forced: Dialect | undefined,
): { dialect: Dialect } | { problem: string } {
  if (forced !== undefined) {
    if (!claimed.includes(forced))
      return {
        problem: `the plugin does not claim --dialect ${forced} (it claims: ${claimed.join(", ") || "none"})`,
      };
    return { dialect: forced };
  }
  const usable = available.find((d) => claimed.includes(d));
  if (usable !== undefined) return { dialect: usable };
  return {
    problem: `the plugin claims ${claimed.join(", ") || "no dialect"}; the suite provides ${available.join(", ")}${available.includes("postgres") ? "" : " (and postgres with --pg-dsn)"}`,
  };
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const startedAt = new Date();
  const started = performance.now();
  const logs: string[] = [];
  const target: PluginTarget = resolveTarget(options.target, logs);
  const fixtures = new Map<Dialect, Fixture>();
  let current: PluginSession | undefined;
  try {
    fixtures.set("duckdb", await buildDuckDbFixture());
    if (options.pgDsn !== undefined)
      fixtures.set("postgres", await buildPostgresFixture(options.pgDsn));
    fixtures.set("spark", await buildSparkFixture(Date.now(), [], options.sparkConnect));

    let startupProblem: string | undefined;
    let metadata: contract.GetMetadataResponse | undefined;
    try {
      current = await target.start();
      metadata = await getMetadata(current.clients);
    } catch (error) {
      const tail = logs.slice(-5).join("\n");
      startupProblem = `${messageOf(error)}${tail === "" ? "" : `\nlast plugin log lines:\n${tail}`}`;
    }
    const choice = chooseDialect(
      metadata?.capabilities?.dialects ?? [],
      [...fixtures.keys()],
      options.dialect,
    );
    const ctx: SuiteContext = {
      options,
      target,
      metadata,
      startupProblem,
      dialect: "dialect" in choice ? choice.dialect : undefined,
      dialectProblem: "problem" in choice ? choice.problem : undefined,
      fixture: (dialect) => fixtures.get(dialect),
      async session() {
        if (current === undefined) throw new Error(`the plugin is not running: ${startupProblem}`);
        if (!current.alive() && target.launch !== undefined) {
          // A test crashed or stopped the plugin: later tests get a fresh one.
          await current.stop().catch(() => undefined);
          current = await target.start();
        }
        return current;
      },
      async clients() {
        return (await this.session()).clients;
      },
    };

    const groups: { name: string; about: string; outcomes: TestOutcome[] }[] = [];
    for (const group of GROUPS) {
      const outcomes: TestOutcome[] = [];
      const groupReason = group.requires?.(ctx);
      for (const test of group.tests) {
        const id = `${group.name} › ${test.name}`;
        const reason = deselectionReason(id, options) ?? groupReason;
        if (reason !== undefined) {
          outcomes.push({
            group: group.name,
            name: test.name,
            id,
            status: "skipped",
            durationMs: 0,
            reason,
          });
          continue;
        }
        outcomes.push(await runTest(group, test, ctx));
      }
      groups.push({ name: group.name, about: group.about, outcomes });
    }
    return buildReport({
      target: target.description,
      metadata,
      dialect: ctx.dialect,
      startupProblem,
      startedAt,
      durationMs: performance.now() - started,
      groups,
    });
  } finally {
    await current?.stop().catch(() => undefined);
    for (const fixture of fixtures.values()) await fixture.dispose().catch(() => undefined);
  }
}
