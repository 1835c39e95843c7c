// What a host process holds while it runs models: the plugin pool, the lineage
// emitter (its spool drained on start) and tracing. One per process; closed once.
import { join } from "node:path";
import { openRunHistory, type RunHistory } from "../history/store.js";
import { LineageEmitter, lineageEmitterFromEnv } from "../lineage/emitter.js";
import { noTransport } from "../lineage/transports.js";
import type { PluginLogEntry } from "../plugins/index.js";
import { initTelemetry, type Telemetry } from "../telemetry/index.js";
import { PluginPool, type PluginPoolOptions } from "./plugin-pool.js";

export interface HostServicesOptions {
  env?: NodeJS.ProcessEnv;
  /** Lineage spool and default lineage file live here; FLOE_STATE_DIR, else `.floe`. */
  stateDir?: string;
  /** Warnings (lineage delivery, plugin start) for people; stderr by default. */
  warn?: (message: string) => void;
  plugins?: PluginPoolOptions;
  /** The run history's store (`--history-url`); FLOE_HISTORY_URL, else `<state dir>/history.duckdb`. */
  historyUrl?: string | undefined;
  /** Lineage off unless the environment asks for it (tests, `score`). */
  lineage?: boolean;
}

export interface HostServices {
  plugins: PluginPool;
  lineage: LineageEmitter;
  telemetry: Telemetry;
  /** Every model run is appended here. */
  history: RunHistory;
  /** Stops plugins, waits up to `flushMs` for spooled lineage, flushes spans. */
  close(flushMs?: number): Promise<void>;
  /**
   * For one-shot commands: after close, lets the process end even when an
   * exporter still retries an unreachable endpoint (its exit code already set).
   */
  releaseProcess(): void;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * Plugin log lines at or above FLOE_LOG_LEVEL (default warn) go to stderr as JSON
 * lines under the plugin's name.
 */
function pluginLogForwarder(env: NodeJS.ProcessEnv): (entry: PluginLogEntry) => void {
  const floor = Math.max(0, LEVELS.indexOf((env.FLOE_LOG_LEVEL ?? "warn") as "warn"));
  return (entry) => {
    const rank = LEVELS.indexOf(entry.level as "warn");
    if (rank >= 0 && rank < floor) return;
    process.stderr.write(
      `${JSON.stringify({ ...entry.fields, level: entry.level, plugin: entry.plugin, msg: entry.msg })}\n`,
    );
  };
}

export async function openHostServices(options: HostServicesOptions = {}): Promise<HostServices> {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const stateDir = options.stateDir ?? env.FLOE_STATE_DIR ?? ".floe";
  const telemetry = initTelemetry({ env, serviceName: "floe-quality" });
  const lineage =
    options.lineage === false
      ? new LineageEmitter({ transport: noTransport })
      : lineageEmitterFromEnv(env, stateDir, (m) => warn(`lineage: ${m}`));
  // Spooled events of an earlier process go first; new ones queue behind them.
  void lineage.start();
  const plugins = new PluginPool({
    env,
    ...options.plugins,
    supervisor: { onLog: pluginLogForwarder(env), ...options.plugins?.supervisor },
  });
  const history = openRunHistory({ url: options.historyUrl, env, stateDir, warn });
  let closing: Promise<void> | undefined;
  return {
    plugins,
    lineage,
    telemetry,
    history,
    close(flushMs = 2_000) {
      closing ??= (async () => {
        await plugins.close();
        const delivered = await lineage.flush(flushMs);
        if (!delivered) {
          warn(
            `lineage: FLOE-DQ110 ${await lineage.pending()} event(s) not delivered yet, kept in ${env.FLOE_LINEAGE_SPOOL_DIR ?? join(stateDir, "lineage-spool")} for the next start`,
          );
        }
        lineage.close();
        // An unreachable trace endpoint must not hold the process: spans get a bounded flush.
        await Promise.race([
          telemetry.shutdown().catch(() => undefined),
          new Promise((done) => setTimeout(done, 1_000).unref()),
        ]);
      })();
      return closing;
    },
    releaseProcess() {
      setTimeout(() => process.exit(), 200).unref();
    },
  };
}
