// The QualityHost gRPC server: QualityHostService, grpc.health.v1.Health and
// server reflection on one port or Unix socket, with the bind policy of
// listen.ts, the bearer token of auth.ts, the request bounds of limits.ts and
// the artifacts policy of artifacts.ts.
import { readFile, rm } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { FloeError } from "@floe/quality-sdk";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { HostServices } from "../runtime/services.js";
import { ScoringPool } from "../scoring/pool.js";
import {
  type CallerArtifactsPolicy,
  DEFAULT_CALLER_ARTIFACTS_MAX_BYTES,
  HostArtifacts,
} from "./artifacts.js";
import { authenticated, bearerCheck } from "./auth.js";
import {
  DEFAULT_REQUEST_LIMITS,
  guardedHostService,
  type RequestLimits,
  transportCap,
} from "./limits.js";
import { checkListenSecurity, type ListenSecurity, parseListenAddress } from "./listen.js";
import { OffloadPool } from "./offload.js";
import { addReflection } from "./reflection.js";
import { type HostServiceDeps, qualityHostHandlers } from "./service.js";

export const HOST_SERVICE_NAME = "floe.quality.v1.QualityHostService";
const HEALTH_SERVICE = "grpc.health.v1.Health";

export interface HostServerOptions extends ListenSecurity {
  listen: string;
  services: HostServices;
  knownProviders: () => string[];
  /** The artifacts requests name by model (`serve --artifacts FILE|DIR`). */
  hostArtifacts?: HostArtifacts | undefined;
  /** Caller-supplied artifacts: refused unless a directory is given. */
  callerArtifacts?: Partial<CallerArtifactsPolicy> | undefined;
  limits?: Partial<RequestLimits> | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log?: (message: string) => void;
}

export interface HostServer {
  /** The bound address: `127.0.0.1:43121` (the real port when 0 was asked) or `unix:/path`. */
  readonly address: string;
  /** Stops accepting calls, lets running ones finish (up to `graceMs`), then stops plugins and flushes. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The server credentials for the TLS settings (insecure without them); TLS
 * material that cannot be read or used is FLOE-DQ100 naming the file, found
 * before anything binds.
 */
export async function credentialsFor(security: ListenSecurity): Promise<ServerCredentials> {
  if (security.tlsCertFile === undefined || security.tlsKeyFile === undefined) {
    return ServerCredentials.createInsecure();
  }
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new FloeError(
        "FLOE-DQ100",
        `cannot read ${flag} (${(error as NodeJS.ErrnoException).code ?? error})`,
        { file, fix: `Give ${flag} a PEM file the host can read.` },
      );
    }
  };
  const [cert, key, ca] = await Promise.all([
    read(security.tlsCertFile, "--tls-cert"),
    read(security.tlsKeyFile, "--tls-key"),
    security.tlsClientCaFile === undefined
      ? undefined
      : read(security.tlsClientCaFile, "--tls-client-ca"),
  ]);
  try {
    // grpc-js only parses the PEM when it binds: parse it now, for a clear error.
    createSecureContext({ cert, key, ...(ca === undefined ? {} : { ca }) });
    return ServerCredentials.createSsl(
      ca ?? null,
      [{ cert_chain: cert, private_key: key }],
      ca !== undefined,
    );
  } catch (error) {
    throw new FloeError(
      "FLOE-DQ100",
      `the TLS material is not usable: ${(error as Error).message}`,
      {
        file: security.tlsCertFile,
        fix: "Give a PEM certificate (--tls-cert) and its private key (--tls-key), and a PEM CA for --tls-client-ca.",
      },
    );
  }
}

/** Binds and starts the server; a refused address throws ListenRefused before anything binds. */
export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const address = parseListenAddress(options.listen);
  checkListenSecurity(address, options);
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const scoring = new ScoringPool();
  const offload = new OffloadPool();
  const limits: RequestLimits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits };
  const deps: HostServiceDeps = {
    plugins: options.services.plugins,
    lineage: options.services.lineage,
    history: options.services.history,
    env: options.env,
    cwd: options.cwd,
    scoring,
    offload,
    knownProviders: options.knownProviders,
    hostArtifacts: options.hostArtifacts ?? HostArtifacts.none(),
    callerArtifacts: {
      maxBytes: DEFAULT_CALLER_ARTIFACTS_MAX_BYTES,
      envAllowList: [],
      ...options.callerArtifacts,
    },
    log,
  };
  const server = new Server({
    "grpc.max_receive_message_length": transportCap(limits),
  });
  const service = guardedHostService(qualityHostHandlers(deps), limits);
  server.addService(
    service.definition,
    authenticated(service.handlers, bearerCheck(options.token)),
  );
  const health = new HealthImplementation({ "": "SERVING", [HOST_SERVICE_NAME]: "SERVING" });
  health.addToServer(server);
  addReflection(server, [HOST_SERVICE_NAME, HEALTH_SERVICE]);
  if (address.kind === "unix") await rm(address.path, { force: true });
  const credentials = await credentialsFor(options);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address.target, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const bound =
    address.kind === "unix"
      ? address.target
      : `${address.host.includes(":") ? `[${address.host}]` : address.host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    address: bound,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        health.setStatus("", "NOT_SERVING");
        health.setStatus(HOST_SERVICE_NAME, "NOT_SERVING");
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, graceMs);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        await Promise.all([scoring.close(), offload.close()]);
        await options.services.close();
        if (address.kind === "unix") await rm(address.path, { force: true });
      })();
      return closing;
    },
  };
}
