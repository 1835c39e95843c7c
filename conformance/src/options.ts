// The command line of floe-quality-conformance.
import { parseArgs } from "node:util";
import { DIALECTS, type Dialect } from "./fixture/index.js";
import type { TargetOptions } from "./target.js";

export interface ConformanceOptions {
  readonly target: TargetOptions;
  /** Forces the dialect of the semantics groups; by default the first claimed one the suite can provide. */
  readonly dialect: Dialect | undefined;
  readonly pgDsn: string | undefined;
  /**
   * A Spark Connect endpoint (`host:port`) for the spark fixture, instead of the
   * plugin's local session; it must serve a global temporary view `slow_rows`
   * (`SELECT id FROM range(10000000000000)`) for the deadline groups.
   */
  readonly sparkConnect?: string;
  readonly focus: readonly RegExp[];
  readonly skip: readonly RegExp[];
  readonly junit: string | undefined;
  readonly json: boolean;
}

export const USAGE = `usage: floe-quality-conformance (--provider NAME | --plugin-cmd "CMD ARGS" | --plugin-addr ADDRESS) [options]

Runs the floe-quality plugin conformance suite against one plugin.

  --provider NAME        a plugin found by discovery (FLOE_PLUGIN_PATH, plugins/*, node_modules/@floe/*)
  --plugin-cmd "CMD"     a command that starts the plugin (spawned like the host does)
  --plugin-addr ADDRESS  a running sidecar: unix:///path/p.sock or host:port
  --insecure             plain TCP for --plugin-addr host:port (loopback only)
  --dialect D            duckdb | postgres | spark: the fixture the semantics groups use
  --pg-dsn DSN           a PostgreSQL database to build the postgres fixture in (a schema is created and dropped)
  --spark-connect H:P    the spark fixture through this Spark Connect server (it must serve global_temp.slow_rows)
  --focus PATTERN        run only tests whose "group › name" matches (regular expression; repeatable)
  --skip PATTERN         skip tests whose "group › name" matches (repeatable)
  --junit FILE           also write a JUnit XML report
  --json                 print the report as JSON (docs/conformance.md) instead of text
  -h, --help             this text

Exit status: 0 when every applicable test passed, 1 when a test failed or the
plugin could not be tested, 2 for a usage error.`;

export class UsageError extends Error {}

function patterns(values: string[] | undefined, flag: string): RegExp[] {
  return (values ?? []).map((v) => {
    try {
      return new RegExp(v, "i");
    } catch (error) {
      throw new UsageError(`${flag} ${JSON.stringify(v)}: ${(error as Error).message}`);
    }
  });
}

/** Parses argv; undefined means --help was asked. */
export function parseOptions(argv: readonly string[]): ConformanceOptions | undefined {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return undefined;
  const targets = [v.provider, v["plugin-cmd"], v["plugin-addr"]].filter((t) => t !== undefined);
  if (targets.length !== 1)
    throw new UsageError("give exactly one of --provider, --plugin-cmd, --plugin-addr");
  if (v.dialect !== undefined && !DIALECTS.includes(v.dialect as Dialect))
    throw new UsageError(`--dialect ${v.dialect}: expected one of ${DIALECTS.join(", ")}`);
  if (v.dialect === "postgres" && v["pg-dsn"] === undefined)
    throw new UsageError("--dialect postgres needs --pg-dsn");
  const target: TargetOptions =
    v.provider !== undefined
      ? { kind: "provider", provider: v.provider }
      : v["plugin-cmd"] !== undefined
        ? { kind: "command", command: v["plugin-cmd"] }
        : { kind: "address", address: v["plugin-addr"]!, insecure: v.insecure ?? false };
  return {
    target,
    dialect: v.dialect as Dialect | undefined,
    pgDsn: v["pg-dsn"],
    sparkConnect: v["spark-connect"],
    focus: patterns(v.focus, "--focus"),
    skip: patterns(v.skip, "--skip"),
    junit: v.junit,
    json: v.json ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      provider: { type: "string" },
      "plugin-cmd": { type: "string" },
      "plugin-addr": { type: "string" },
      insecure: { type: "boolean" },
      dialect: { type: "string" },
      "pg-dsn": { type: "string" },
      "spark-connect": { type: "string" },
      focus: { type: "string", multiple: true },
      skip: { type: "string", multiple: true },
      junit: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
