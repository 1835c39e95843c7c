// floe-quality serve: the QualityHost gRPC API for orchestrators. Loopback or a
// Unix socket by default; another address needs TLS plus a bearer token
// (FLOE_HOST_TOKEN) or client certificates. Callers authenticate everywhere:
// without FLOE_HOST_TOKEN or mTLS a token is made at start, written 0600 to the
// state directory and printed once (--no-auth turns that off, loopback only).
// Requests run the artifacts given with --artifacts; caller artifacts only
// under --caller-artifacts DIR. SIGTERM/SIGINT stop it gracefully.
import { relative } from "node:path";
import { FloeError } from "@floe/quality-sdk";
import type { SidecarOptions } from "../../plugins/index.js";
import { type HostServices, openHostServices } from "../../runtime/index.js";
import { HostArtifacts } from "../../server/artifacts.js";
import { issueHostToken } from "../../server/auth.js";
import {
  checkListenSecurity,
  credentialsFor,
  DEFAULT_LISTEN,
  ListenRefused,
  parseListenAddress,
  startHostServer,
} from "../../server/index.js";
import { parseOptions, renderError, UsageError } from "../output.js";
import { knownProviders } from "./compile.js";

const USAGE = `usage: floe-quality serve [--artifacts FILE|DIR] [--listen ADDRESS] [--no-auth]
                           [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
                           [--caller-artifacts DIR [--caller-artifacts-max-bytes N]
                            [--caller-env NAME ...]] [--max-request-bytes N]
                           [--plugin-addr PROVIDER=ADDRESS ...] [--plugin-concurrency N]
                           [--history-url URL]

  --artifacts      compiled_artifacts.json, or a directory of them (repeatable): requests
                   name their models
  --listen         host:port or unix:///path (default ${DEFAULT_LISTEN}); a non-loopback
                   address needs TLS and FLOE_HOST_TOKEN (bearer token) or --tls-client-ca
  --no-auth        serve loopback or Unix-socket callers without a token (default: a
                   token from FLOE_HOST_TOKEN, else a new one in STATE_DIR/host-token)
  --caller-artifacts  accept artifacts_json and artifacts_path from callers; paths and
                   DuckDB files must lie inside DIR; \${env:...} is not resolved for them
  --caller-artifacts-max-bytes  size cap of one caller artifacts document (default 4 MiB)
  --caller-env     a variable caller artifacts may name as \${env:NAME} (repeatable)
  --max-request-bytes  size cap of one request (default 4 MiB)
  --tls-cert       server certificate (PEM)
  --tls-key        server private key (PEM)
  --tls-client-ca  require client certificates signed by this CA (mTLS)
  --plugin-addr    dial a plugin sidecar for a provider instead of spawning it:
                   unix:///path/p.sock, or host:port with FLOE_PLUGIN_TLS_CA,
                   FLOE_PLUGIN_TLS_CERT, FLOE_PLUGIN_TLS_KEY
  --plugin-concurrency  runs in flight per plugin (default 4); later runs wait in order
  --history-url    where each run is appended: postgresql://…, a DuckDB file or none
                   (default FLOE_HISTORY_URL, else STATE_DIR/history.duckdb)

Prints "listening on ADDRESS" once serving. Environment: OPENLINEAGE_* / FLOE_LINEAGE_*
(lineage), OTEL_* (traces), FLOE_STATE_DIR (lineage spool, run history, default .floe). See docs/host.md.`;

const OPTIONS = {
  artifacts: { type: "string", multiple: true },
  listen: { type: "string" },
  "no-auth": { type: "boolean", default: false },
  "caller-artifacts": { type: "string" },
  "caller-artifacts-max-bytes": { type: "string" },
  "caller-env": { type: "string", multiple: true },
  "max-request-bytes": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-client-ca": { type: "string" },
  "plugin-addr": { type: "string", multiple: true },
  "plugin-concurrency": { type: "string" },
  "history-url": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

function sidecarsOf(
  specs: readonly string[],
  env: NodeJS.ProcessEnv,
): Record<string, Omit<SidecarOptions, "name">> {
  const out: Record<string, Omit<SidecarOptions, "name">> = {};
  for (const spec of specs) {
    const at = spec.indexOf("=");
    if (at <= 0 || at === spec.length - 1) {
      throw new UsageError(`--plugin-addr '${spec}' is not PROVIDER=ADDRESS`);
    }
    const address = spec.slice(at + 1);
    const tls = address.startsWith("unix:")
      ? undefined
      : {
          ...(env.FLOE_PLUGIN_TLS_CA ? { caFile: env.FLOE_PLUGIN_TLS_CA } : {}),
          ...(env.FLOE_PLUGIN_TLS_CERT ? { certFile: env.FLOE_PLUGIN_TLS_CERT } : {}),
          ...(env.FLOE_PLUGIN_TLS_KEY ? { keyFile: env.FLOE_PLUGIN_TLS_KEY } : {}),
        };
    out[spec.slice(0, at)] = { address, ...(tls ? { tls } : {}) };
  }
  return out;
}

/** A whole number of at least 1 given for `flag`, or undefined when not given. */
function positive(values: Record<string, unknown>, flag: string): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag} must be a whole number of at least 1, got '${text}'`);
  }
  return value;
}

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = process.env;
  const stateDir = env.FLOE_STATE_DIR ?? ".floe";
  const listen = values.listen ?? DEFAULT_LISTEN;
  const security = {
    tlsCertFile: values["tls-cert"],
    tlsKeyFile: values["tls-key"],
    tlsClientCaFile: values["tls-client-ca"],
    token: env.FLOE_HOST_TOKEN || undefined,
  };
  try {
    const address = parseListenAddress(listen);
    checkListenSecurity(address, security);
    if (values["no-auth"] && address.kind === "tcp" && !address.loopback) {
      throw new ListenRefused(
        `--no-auth is for loopback and Unix-socket listeners only; ${address.target} needs FLOE_HOST_TOKEN or --tls-client-ca`,
      );
    }
  } catch (error) {
    if (!(error instanceof ListenRefused)) throw error;
    process.stderr.write(`floe-quality serve: ${error.message}\n`);
    return 2;
  }
  const maxRequestBytes = positive(values, "max-request-bytes");
  const callerMaxBytes = positive(values, "caller-artifacts-max-bytes");
  const sidecars = sidecarsOf(values["plugin-addr"] ?? [], env);
  const concurrency = Number(values["plugin-concurrency"] ?? "4");
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(
      `--plugin-concurrency must be a whole number of at least 1, got '${values["plugin-concurrency"]}'`,
    );
  }
  let hostArtifacts = HostArtifacts.none();
  try {
    if (values.artifacts !== undefined) hostArtifacts = await HostArtifacts.load(values.artifacts);
    await credentialsFor(security);
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    process.stderr.write(`${renderError(error)}\n`);
    return 2;
  }

  let services: HostServices | undefined;
  try {
    if (
      security.token === undefined &&
      security.tlsClientCaFile === undefined &&
      !values["no-auth"]
    ) {
      const issued = await issueHostToken(stateDir);
      security.token = issued.token;
      process.stdout.write(
        `floe-quality serve: callers send "authorization: Bearer ${issued.token}" (token also in ${relative(process.cwd(), issued.file) || issued.file}, mode 0600)\n`,
      );
    }
    services = await openHostServices({
      env,
      plugins: { sidecars, concurrency },
      historyUrl: values["history-url"],
    });
    const server = await startHostServer({
      listen,
      ...security,
      services,
      knownProviders,
      hostArtifacts,
      callerArtifacts: {
        dir: values["caller-artifacts"],
        ...(callerMaxBytes === undefined ? {} : { maxBytes: callerMaxBytes }),
        envAllowList: values["caller-env"] ?? [],
      },
      limits: maxRequestBytes === undefined ? {} : { maxRequestBytes },
      env,
    });
    process.stdout.write(`floe-quality serve: listening on ${server.address}\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    process.stderr.write(`floe-quality serve: ${signal}, stopping\n`);
    await server.close();
    setTimeout(() => process.exit(0), 1_000).unref();
    return 0;
  } catch (error) {
    await services?.close(0);
    if (error instanceof ListenRefused) {
      process.stderr.write(`floe-quality serve: ${error.message}\n`);
      return 2;
    }
    if (error instanceof FloeError) {
      process.stderr.write(`${renderError(error)}\n`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || /No address added/.test(String(error))) {
      process.stderr.write(
        `floe-quality serve: cannot listen on ${listen}: ${(error as Error).message}\n`,
      );
      return 2;
    }
    throw error;
  }
}
