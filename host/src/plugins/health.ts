// Health and SERVING: the grpc.health.v1 client sharing the plugin's channel,
// the wait for SERVING at start (a health Check that gets no answer means the
// plugin hangs; NOT_SERVING means it is still starting), the metadata check, and
// the periodic health poll while the plugin runs.
import {
  contract,
  FLOE_API_MAJOR,
  FloeError,
  HEALTH_SERVICE_NAME,
  isCompatibleFloeApiVersion,
} from "@floe/quality-sdk";
import {
  type ChannelCredentials,
  type ClientReadableStream,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import type { PluginClient } from "./client.js";

// grpc.health.v1 messages as grpc-health-check's proto-loader definition decodes them.
interface HealthResponse {
  status: "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";
}
interface HealthClient {
  check(
    request: { service: string },
    metadata: Metadata,
    options: { deadline: number },
    callback: (error: ServiceError | null, response?: HealthResponse) => void,
  ): void;
  watch(request: { service: string }, metadata?: Metadata): ClientReadableStream<HealthResponse>;
  close(): void;
}
const HealthClientConstructor = makeGenericClientConstructor(
  healthService as never,
  "Health",
) as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options: Record<string, unknown>,
) => HealthClient;

export interface Connection {
  plugin: contract.QualityPluginServiceClient;
  health: HealthClient;
  close(): void;
}

export function openConnection(target: string, creds: ChannelCredentials): Connection {
  const plugin = new contract.QualityPluginServiceClient(target, creds);
  const health = new HealthClientConstructor(target, creds, {
    channelOverride: plugin.getChannel(),
  });
  const connection: Connection = {
    plugin,
    health,
    close() {
      plugin.close();
    },
  };
  return connection;
}

/**
 * Resolves when the plugin reports SERVING. A health Check that gets no answer
 * within `checkTimeoutMs` means the plugin hangs; NOT_SERVING means it is
 * still starting, which may last until `servingBy` (epoch ms).
 */
export async function waitServing(
  connection: Connection,
  name: string,
  checkTimeoutMs: number,
  servingBy: number,
  startedAt: number,
): Promise<void> {
  const first = await new Promise<HealthResponse | ServiceError>((resolve) =>
    connection.health.check(
      { service: HEALTH_SERVICE_NAME },
      new Metadata(),
      { deadline: Date.now() + checkTimeoutMs },
      (error, response) => resolve(error ?? (response as HealthResponse)),
    ),
  );
  if ("status" in first && first.status === "SERVING") return;
  if ("code" in first && first.code === status.DEADLINE_EXCEEDED) {
    throw new FloeError(
      "FLOE-DQ001",
      `plugin ${name} is unhealthy: its health check got no answer within ${checkTimeoutMs} ms`,
      {
        fix: "The plugin's gRPC server must answer grpc.health.v1.Health/Check at once, even during start-up work; see its log.",
      },
    );
  }
  if ("code" in first && first.code !== status.NOT_FOUND) {
    throw new FloeError("FLOE-DQ001", `plugin ${name} health check failed: ${first.details}`);
  }
  await new Promise<void>((resolve, reject) => {
    const watch = connection.health.watch({ service: HEALTH_SERVICE_NAME });
    let last = "status" in first ? first.status : "SERVICE_UNKNOWN";
    const timer = setTimeout(
      () => {
        watch.cancel();
        reject(
          new FloeError(
            "FLOE-DQ001",
            `plugin ${name} is unhealthy: health status for ${HEALTH_SERVICE_NAME} is still ${last} ${Math.round(Date.now() - startedAt)} ms after start`,
            {
              fix: "The plugin must report SERVING once its startup work is done; see its log, or raise the start timeout if it is just slow.",
            },
          ),
        );
      },
      Math.max(0, servingBy - Date.now()),
    );
    watch.on("data", (response: HealthResponse) => {
      last = response.status;
      if (response.status === "SERVING") {
        clearTimeout(timer);
        watch.cancel();
        resolve();
      }
    });
    watch.on("error", () => undefined);
  });
}

export async function fetchMetadata(
  client: PluginClient,
  name: string,
  timeoutMs: number,
): Promise<contract.GetMetadataResponse> {
  const metadata = await client.getMetadata({ timeoutMs });
  if (!isCompatibleFloeApiVersion(metadata.floeApiVersion)) {
    throw new FloeError(
      "FLOE-DQ001",
      `plugin ${name} implements floe_api_version ${JSON.stringify(metadata.floeApiVersion)}, but this host speaks ${FLOE_API_MAJOR}.x`,
      {
        fix: `Install a version of the plugin built for floe plugin API ${FLOE_API_MAJOR}.x, or upgrade floe-quality.`,
      },
    );
  }
  return metadata;
}

/**
 * Polls Health/Check every `intervalMs` while `current()` holds: not SERVING, or
 * no answer within `timeoutMs`, and `onUnhealthy` is told why. Returns the stop function.
 */
export function pollHealth(
  connection: Connection,
  options: { intervalMs: number; timeoutMs: number },
  current: () => boolean,
  onUnhealthy: (why: string) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(poll, options.intervalMs);
    timer.unref();
  };
  const poll = () => {
    if (!current()) return;
    connection.health.check(
      { service: HEALTH_SERVICE_NAME },
      new Metadata(),
      { deadline: Date.now() + options.timeoutMs },
      (error, response) => {
        if (!current()) return;
        if (error === null && response?.status === "SERVING") return schedule();
        onUnhealthy(
          error !== null
            ? `health check failed: ${error.details}`
            : `health status ${response?.status}`,
        );
      },
    );
  };
  schedule();
  return () => clearTimeout(timer);
}
