// The plugin of a `run`, started before the host loads the rest of itself.
// A CLI run spends most of its start-up loading modules (the host's, then the
// plugin's in its own process, one after the other); starting the plugin first
// lets both load at once. Only what is cheap to read decides it: the provider
// of compiled artifacts, or the built-in provider of a one-file project that
// names no provider. The supervisor takes the process over when it starts the
// same plugin with the same settings (`spawnInstance`); a guess that turns out
// wrong is ended unused (`discardPrestarted`). Anything unexpected here means
// no prestart, never an error: the run itself reports the problem.
import { readFileSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { otlpTracesUrl } from "@floe/quality-sdk/tracing";
import { BUILT_IN_PROVIDER } from "../config/defaults.js";
import { discoverPlugins, resolveProvider } from "../plugins/discover.js";
import { type Instance, prestartInstance } from "../plugins/launch.js";

/** Larger artifacts are read once, by the run itself. */
const MAX_PEEK_BYTES = 4 * 1024 * 1024;

function peek(file: string): string | undefined {
  return statSync(file).size <= MAX_PEEK_BYTES ? readFileSync(file, "utf8") : undefined;
}

/** The provider a `run` argv will start, when one file read tells it. */
export function runProvider(argv: readonly string[]): string | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      artifacts: { type: "string" },
      config: { type: "string" },
    },
    strict: false,
    allowPositionals: true,
  });
  if (typeof values.config === "string") {
    const text = peek(values.config);
    // A product that names a provider anywhere is left to the compiler.
    return text === undefined || /\bprovider\b/.test(text) ? undefined : BUILT_IN_PROVIDER;
  }
  if (typeof values.artifacts === "string") {
    const text = peek(values.artifacts);
    const provider =
      text === undefined
        ? undefined
        : (JSON.parse(text) as { quality_config?: { provider?: unknown } } | null)?.quality_config
            ?.provider;
    return typeof provider === "string" ? provider : undefined;
  }
  return undefined;
}

/**
 * Starts the plugin `run argv` will use, as the plugin pool of a CLI run would
 * start it (no extra environment, the default log level); not when tracing is
 * on, because then the pool starts it with the run's TRACEPARENT.
 */
export function prestartRunPlugin(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Instance | undefined {
  try {
    if (otlpTracesUrl(env) !== undefined || env.FLOE_PLUGIN_PRESTART === "off") return undefined;
    const provider = runProvider(argv);
    if (provider === undefined) return undefined;
    return prestartInstance(resolveProvider(discoverPlugins({ env }), provider), {}, undefined);
  } catch {
    // No prestart: the run starts its plugin itself and reports any problem.
    return undefined;
  }
}
