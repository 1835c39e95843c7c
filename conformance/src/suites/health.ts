// Health: the standard grpc.health.v1 service, SERVING once started, for the
// plugin's service name and for "".
import { HEALTH_SERVICE_NAME } from "@floe/quality-sdk";
import { needsOwnProcess } from "../context.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail } from "../framework.js";
import { checkHealth, connectClients } from "../rpc.js";
import { spawnRaw } from "../spawn.js";
import { dialTarget, START_MS, withPlugin } from "./handshake.js";

export const healthGroup: ConformanceGroup = {
  name: "health",
  about: "grpc.health.v1: NOT_SERVING while starting, SERVING within 5 s",
  tests: [
    {
      name: `reports SERVING for ${HEALTH_SERVICE_NAME} within 5 s of starting`,
      async run(ctx) {
        // The host's supervisor starts the plugin and waits at most 5 s for SERVING.
        if (ctx.startupProblem !== undefined)
          fail("start-up through the host's supervisor", "SERVING within 5 s", ctx.startupProblem);
        const session = await ctx.session();
        expectEqual(
          `health of ${HEALTH_SERVICE_NAME}`,
          "SERVING",
          await checkHealth(session.clients, HEALTH_SERVICE_NAME),
        );
      },
    },
    {
      name: 'reports SERVING for the empty service name ""',
      requires: (ctx) =>
        ctx.startupProblem === undefined ? undefined : "the plugin did not start",
      async run(ctx) {
        const session = await ctx.session();
        expectEqual('health of ""', "SERVING", await checkHealth(session.clients, ""));
      },
    },
    {
      name: "answers health from the moment of the handshake (NOT_SERVING or SERVING)",
      requires: needsOwnProcess,
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await plugin
            .firstLine(START_MS)
            .catch((error: Error) => fail("handshake line", "a handshake line", error.message));
          const clients = connectClients(dialTarget(line));
          try {
            const health = await checkHealth(clients, HEALTH_SERVICE_NAME, 2_000).catch(
              (error: Error) => error.message,
            );
            expectTrue(
              "health right after the handshake",
              health === "SERVING" || health === "NOT_SERVING",
              "SERVING or NOT_SERVING",
              health,
            );
          } finally {
            clients.close();
          }
        });
      },
    },
  ],
};
