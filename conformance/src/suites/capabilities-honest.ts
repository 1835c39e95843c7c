// Capabilities are honest: every claimed dialect the suite can provide runs
// every claimed check type without ERROR.
import { contract } from "@floe/quality-sdk";
import { capabilitiesOf, declares, needsRunningPlugin, type SuiteContext } from "../context.js";
import { customersRelation, DIALECTS, type Dialect, fixtureCases } from "../fixture/index.js";
import {
  type ConformanceGroup,
  type ConformanceTest,
  expectEqual,
  fail,
  SkipTest,
} from "../framework.js";
import { checkOf, runRequest, statusName, suiteOf } from "../requests.js";
import { runChecks } from "../rpc.js";
import { RUN_DEADLINE_MS } from "./run-checks.js";

const HOW_TO_PROVIDE: Readonly<Record<Dialect, string>> = {
  duckdb: "the suite always builds a DuckDB fixture",
  postgres: "give --pg-dsn to test it",
  spark: "the suite always builds a Parquet fixture for Spark",
};

function dialectTest(dialect: Dialect): ConformanceTest {
  return {
    name: `every claimed check type runs on ${dialect}`,
    requires(ctx: SuiteContext) {
      if (!(capabilitiesOf(ctx)?.dialects ?? []).includes(dialect))
        return `${dialect} is not claimed`;
      if (ctx.fixture(dialect) === undefined)
        return `${dialect} is claimed but the suite has no ${dialect} fixture: ${HOW_TO_PROVIDE[dialect]}`;
      return undefined;
    },
    async run(ctx) {
      const fixture = ctx.fixture(dialect)!;
      const cases = fixtureCases(fixture).filter((c) => declares(ctx, c.type));
      if (cases.length === 0) throw new SkipTest("no claimed check type has a fixture case");
      const outcome = await runChecks(
        await ctx.clients(),
        runRequest(fixture, customersRelation(fixture), suiteOf(cases.map((c) => checkOf(c)))),
        RUN_DEADLINE_MS,
      );
      if (outcome.error !== undefined)
        fail(
          `RunChecks on ${dialect}`,
          "results and a summary",
          `${outcome.error.grpcCodeName}: ${outcome.error.message}`,
        );
      const ran = new Set([
        contract.CheckStatus.CHECK_STATUS_PASSED,
        contract.CheckStatus.CHECK_STATUS_FAILED,
      ]);
      const byName = new Map(outcome.results.map((r) => [r.checkName, r]));
      const broken = cases
        .filter(
          (c) =>
            !ran.has(byName.get(c.name)?.status ?? contract.CheckStatus.CHECK_STATUS_UNSPECIFIED),
        )
        .map((c) => {
          const r = byName.get(c.name);
          return `${c.type} (${c.name}): ${r === undefined ? "no result" : `${statusName(r.status)} ${r.errorCode} ${r.errorMessage ?? ""}`.trim()}`;
        });
      expectEqual(`claimed check types that did not run on ${dialect}`, [], broken);
    },
  };
}

export const capabilitiesHonestGroup: ConformanceGroup = {
  name: "capabilities-honest",
  about: "a claimed dialect and check type actually runs",
  requires: needsRunningPlugin,
  // Spark is a plugin's only dialect (its own engine): the semantics groups already
  // run every claimed type on the Parquet fixture.
  tests: DIALECTS.filter((d) => d !== "spark").map(dialectTest),
};
