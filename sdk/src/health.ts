// grpc.health.v1 on the plugin's server: NOT_SERVING for the plugin service and
// for "" until the plugin's startup work is done.
import type { Server } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { HEALTH_SERVICE_NAME } from "./protocol.js";

export type ServingStatus = "SERVING" | "NOT_SERVING";

export interface PluginHealth {
  set(status: ServingStatus): void;
}

export function addHealthService(server: Server): PluginHealth {
  const health = new HealthImplementation({
    "": "NOT_SERVING",
    [HEALTH_SERVICE_NAME]: "NOT_SERVING",
  });
  health.addToServer(server);
  return {
    set(status) {
      health.setStatus("", status);
      health.setStatus(HEALTH_SERVICE_NAME, status);
    },
  };
}
