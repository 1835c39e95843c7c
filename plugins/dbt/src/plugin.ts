// The dbt_expectations plugin: the QualityPlugin the SDK serves. Checks run as
// real dbt tests in a plugin-owned dbt project per connection.
import type { CallContext, contract, PluginLogger, QualityPlugin } from "@floe/quality-sdk";
import { SUPPORTED_CHECK_TYPES } from "./project.js";
import { DbtSuiteRunner, type RunnerOptions } from "./runner.js";
import { validateSuite } from "./validate.js";

export const PROVIDER = "dbt_expectations";
export const VERSION = "0.1.0";

export function createDbtPlugin(options: RunnerOptions = {}): QualityPlugin {
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
        failFast: true,
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
      return { result: await validateSuite(request, request.connection?.password ?? "") };
    },
    runChecks(
      request: contract.RunChecksRequest,
      ctx: CallContext,
    ): AsyncIterable<contract.QualityCheckResult> {
      return streamed((emit) => runner.run(request, ctx.signal, emit, ctx.deadline));
    },
  };
}

/**
 * The results a run emits while it runs, then the ones it returns at the end,
 * as one stream; the run's failure ends the stream with that error.
 */
async function* streamed(
  run: (
    emit: (result: contract.QualityCheckResult) => void,
  ) => Promise<contract.QualityCheckResult[]>,
): AsyncIterable<contract.QualityCheckResult> {
  const queue: contract.QualityCheckResult[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let failure: { error: unknown } | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  run((result) => {
    queue.push(result);
    notify();
  }).then(
    (rest) => {
      queue.push(...rest);
      done = true;
      notify();
    },
    (error: unknown) => {
      failure = { error };
      done = true;
      notify();
    },
  );
  for (;;) {
    while (queue.length > 0) yield queue.shift() as contract.QualityCheckResult;
    if (done) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (queue.length > 0 || done) resolve();
    });
  }
  if (failure) throw failure.error;
}
