// floe-quality serve: the QualityHost gRPC API for orchestrators. Loopback or a
// Unix socket by default; another address needs TLS plus a bearer token
// (FLOE_HOST_TOKEN) or client certificates. SIGTERM/SIGINT stop it gracefully.
import { FloeError } from "@floe/quality-sdk";
import type { SidecarOptions } from "../../plugins/index.js";
import { type HostServices, openHostServices, readArtifactsFile } from "../../runtime/index.js";
import {
  checkListenSecurity,
  DEFAULT_LISTEN,
  ListenRefused,
  parseListenAddress,
  startHostServer,
} from "../../server/index.js";
import { parseOptions, renderError, UsageError } from "../output.js";
import { knownProviders } from "./compile.js";

const USAGE = `usage: floe-quality serve [--artifacts FILE] [--listen ADDRESS]
                           [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
                           [--plugin-addr PROVIDER=ADDRESS ...] [--plugin-concurrency N]

  --artifacts      compiled_artifacts.json used when a request carries none
  --listen         host:port or unix:///path (default ${DEFAULT_LISTEN}); a non-loopback
                   address needs TLS and FLOE_HOST_TOKEN (bearer token) or --tls-client-ca
  --tls-cert       server certificate (PEM)
  --tls-key        server private key (PEM)
  --tls-client-ca  require client certificates signed by this CA (mTLS)
  --plugin-addr    dial a plugin sidecar for a provider instead of spawning it:
                   unix:///path/p.sock, or host:port with FLOE_PLUGIN_TLS_CA,
                   FLOE_PLUGIN_TLS_CERT, FLOE_PLUGIN_TLS_KEY
  --plugin-concurrency  runs in flight per plugin (default 4); later runs wait in order

Prints "listening on ADDRESS" once serving. Environment: OPENLINEAGE_* / FLOE_LINEAGE_*
(lineage), OTEL_* (traces), FLOE_STATE_DIR (lineage spool, default .floe). See docs/host.md.`;

const OPTIONS = {
  artifacts: { type: "string" },
  listen: { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-client-ca": { type: "string" },
  "plugin-addr": { type: "string", multiple: true },
  "plugin-concurrency": { type: "string" },
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

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = process.env;
  const listen = values.listen ?? DEFAULT_LISTEN;
  const security = {
    tlsCertFile: values["tls-cert"],
    tlsKeyFile: values["tls-key"],
    tlsClientCaFile: values["tls-client-ca"],
    token: env.FLOE_HOST_TOKEN || undefined,
  };
  try {
    checkListenSecurity(parseListenAddress(listen), security);
  } catch (error) {
    if (!(error instanceof ListenRefused)) throw error;
    process.stderr.write(`floe-quality serve: ${error.message}\n`);
    return 2;
  }
  const sidecars = sidecarsOf(values["plugin-addr"] ?? [], env);
  const concurrency = Number(values["plugin-concurrency"] ?? "4");
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UsageError(
      `--plugin-concurrency must be a whole number of at least 1, got '${values["plugin-concurrency"]}'`,
    );
  }
  if (values.artifacts !== undefined) {
    try {
      await readArtifactsFile(values.artifacts);
    } catch (error) {
      if (!(error instanceof FloeError)) throw error;
      process.stderr.write(`${renderError(error)}\n`);
      return 2;
    }
  }

  let services: HostServices | undefined;
  try {
    services = await openHostServices({ env, plugins: { sidecars, concurrency } });
    const server = await startHostServer({
      listen,
      ...security,
      services,
      knownProviders,
      defaultArtifactsPath: values.artifacts,
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
    throw error;
  }
}
