// The QualityHost gRPC server: QualityHostService, grpc.health.v1.Health and
// server reflection on one port or Unix socket, with the bind policy of
// listen.ts and bearer-token authentication when a token is configured.
import { timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FloeError, statusFromFloeError } from "@floe/quality-sdk";
import {
  type Metadata,
  Server,
  ServerCredentials,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import type { HostServices } from "../runtime/services.js";
import { ScoringPool } from "../scoring/pool.js";
import { checkListenSecurity, type ListenSecurity, parseListenAddress } from "./listen.js";
import { type HostServiceDeps, qualityHostDefinition, qualityHostHandlers } from "./service.js";

export const HOST_SERVICE_NAME = "floe.quality.v1.QualityHostService";

export interface HostServerOptions extends ListenSecurity {
  listen: string;
  services: HostServices;
  knownProviders: () => string[];
  /** Artifacts used when a RunQualityChecks request names none. */
  defaultArtifactsPath?: string | undefined;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface HostServer {
  /** The bound address: `127.0.0.1:43121` (the real port when 0 was asked) or `unix:/path`. */
  readonly address: string;
  /** Stops accepting calls, lets running ones finish (up to `graceMs`), then stops plugins and flushes. */
  close(graceMs?: number): Promise<void>;
}

/**
 * proto/ inside the installed package (npm pack copies it there), else the
 * repository's: server reflection needs the .proto files.
 */
function protoRoot(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, "..", "..", "proto"), join(here, "..", "..", "..", "proto")].find((root) =>
    existsSync(join(root, "floe", "quality", "v1", "host.proto")),
  );
}

function bearerCheck(token: string | undefined) {
  if (token === undefined) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  return (metadata: Metadata) => {
    const given = metadata.get("authorization")[0];
    const bytes = Buffer.from(typeof given === "string" ? given : "");
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };
}

/** Every handler behind the bearer check: UNAUTHENTICATED without the right token. */
function authenticated(
  handlers: UntypedServiceImplementation,
  allowed: (metadata: Metadata) => boolean,
): UntypedServiceImplementation {
  const refuse = () =>
    statusFromFloeError(
      new FloeError("FLOE-DQ100", "missing or wrong bearer token", {
        fix: "Send the metadata `authorization: Bearer <token>` with the host's FLOE_HOST_TOKEN.",
      }),
      status.UNAUTHENTICATED,
    );
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      ((
        call: { metadata: Metadata; emit: (e: string, s: unknown) => void },
        callback?: (e: unknown) => void,
      ) => {
        if (allowed(call.metadata)) return (handler as (...a: unknown[]) => void)(call, callback);
        if (callback) callback(refuse());
        else call.emit("error", refuse());
      }) as UntypedServiceImplementation[string],
    ]),
  );
}

async function credentialsFor(security: ListenSecurity) {
  if (security.tlsCertFile === undefined || security.tlsKeyFile === undefined) {
    return ServerCredentials.createInsecure();
  }
  const [cert, key, ca] = await Promise.all([
    readFile(security.tlsCertFile),
    readFile(security.tlsKeyFile),
    security.tlsClientCaFile === undefined ? undefined : readFile(security.tlsClientCaFile),
  ]);
  return ServerCredentials.createSsl(
    ca ?? null,
    [{ cert_chain: cert, private_key: key }],
    ca !== undefined,
  );
}

/** Binds and starts the server; a refused address throws ListenRefused before anything binds. */
export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const address = parseListenAddress(options.listen);
  checkListenSecurity(address, options);
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const scoring = new ScoringPool();
  const deps: HostServiceDeps = {
    plugins: options.services.plugins,
    lineage: options.services.lineage,
    env: options.env,
    scoring,
    knownProviders: options.knownProviders,
    defaultArtifactsPath: options.defaultArtifactsPath,
    log,
  };
  const server = new Server();
  server.addService(
    qualityHostDefinition(),
    authenticated(qualityHostHandlers(deps), bearerCheck(options.token)),
  );
  const health = new HealthImplementation({ "": "SERVING", [HOST_SERVICE_NAME]: "SERVING" });
  health.addToServer(server);
  const protos = protoRoot();
  if (protos !== undefined) {
    const definition = loadSync(join(protos, "floe", "quality", "v1", "host.proto"), {
      includeDirs: [protos],
    });
    new ReflectionService(definition).addToServer(server);
  }
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
        await scoring.close();
        await options.services.close();
        if (address.kind === "unix") await rm(address.path, { force: true });
      })();
      return closing;
    },
  };
}
