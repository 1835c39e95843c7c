// The dbt_expectations plugin: the QualityPlugin the SDK serves. Checks run as
// real dbt tests in a plugin-owned dbt project per connection.
import type { CallContext, contract, PluginLogger, QualityPlugin } from "@floe/quality-sdk";
import { SUPPORTED_CHECK_TYPES } from "./project.js";
import { connectionPassword, DbtSuiteRunner, type RunnerOptions } from "./runner.js";
import { validateSuite } from "./validate.js";

export const PROVIDER = "dbt_expectations";
export const VERSION = "0.1.0";

export function createDbtPlugin(options: RunnerOptions = {}): QualityPlugin {
  const env = options.env ?? process.env;
  let log: PluginLogger | undefined = options.log;
  let runner = new DbtSuiteRunner(options);
  return {
    getMetadata: () => ({
      name: PROVIDER,
      version: VERSION,
      description:
        "Runs quality checks as real dbt tests (dbt-core with dbt-duckdb and dbt-postgres)",
      dependencies: ["dbt-core>=1.10", "dbt-duckdb", "dbt-postgres"],
      capabilities: {
        dialects: ["duckdb", "postgres"],
        checkTypes: [...SUPPORTED_CHECK_TYPES],
        failFast: false,
        cancellation: true,
        nativeSuites: false,
        failingSamples: false,
      },
    }),
    async startup(pluginLog: PluginLogger) {
      log = options.log ?? pluginLog;
      runner = new DbtSuiteRunner({ ...options, log });
      log.info("dbt_expectations ready", { dbt: runner.executable });
    },
    async validateSuite(
      request: contract.ValidateSuiteRequest,
    ): Promise<contract.ValidateSuiteResponse> {
      const password = request.connection ? connectionPassword(request.connection, env) : "";
      return { result: await validateSuite(request, password) };
    },
    async *runChecks(
      request: contract.RunChecksRequest,
      ctx: CallContext,
    ): AsyncIterable<contract.QualityCheckResult> {
      for (const result of await runner.run(request, ctx.signal)) yield result;
    },
  };
}
