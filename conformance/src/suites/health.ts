// Health: the standard grpc.health.v1 service, SERVING once started, for the
// plugin's service name and for "".
import { HEALTH_SERVICE_NAME } from "@floe/quality-sdk";
import { needsOwnProcess } from "../context.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail, SkipTest } from "../framework.js";
import { checkHealth, connectClients, shutdown, watchHealth } from "../rpc.js";
import { spawnRaw } from "../spawn.js";
import { dialTarget, startMs, withPlugin } from "./handshake.js";

export const healthGroup: ConformanceGroup = {
  name: "health",
  about:
    "grpc.health.v1: NOT_SERVING while starting, SERVING within 5 s, Watch, NOT_SERVING when stopping",
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
            .firstLine(startMs(ctx))
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
    {
      name: "Health/Watch sends the current status at once",
      requires: (ctx) =>
        ctx.startupProblem === undefined ? undefined : "the plugin did not start",
      async run(ctx) {
        const session = await ctx.session();
        const watch = watchHealth(session.clients, HEALTH_SERVICE_NAME);
        try {
          const outcome = await watch.until((statuses) => statuses.length > 0, 5_000);
          expectEqual(
            `first status on Health/Watch for ${HEALTH_SERVICE_NAME}`,
            "SERVING",
            outcome.statuses[0] ?? outcome.ended ?? "nothing within 5 s",
          );
        } finally {
          watch.cancel();
        }
      },
    },
    {
      name: "reports NOT_SERVING on Health/Watch once asked to shut down",
      requires: needsOwnProcess,
      // The plugin's whole start budget (start_timeout_seconds) to reach SERVING, then the stop.
      timeoutMs: 90_000,
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await plugin
            .firstLine(startMs(ctx))
            .catch((error: Error) => fail("handshake line", "a handshake line", error.message));
          const clients = connectClients(dialTarget(line));
          const watch = watchHealth(clients, HEALTH_SERVICE_NAME);
          try {
            const serving = await watch.until((s) => s.includes("SERVING"), startMs(ctx));
            // A plugin that never gets to SERVING fails the first test of this group;
            // the change this test watches for cannot happen.
            if (!serving.statuses.includes("SERVING"))
              throw new SkipTest(
                `the plugin never reported SERVING on Health/Watch (${serving.ended ?? (serving.statuses.join(",") || "nothing")})`,
              );
            await shutdown(clients, 5_000).catch((error: Error) =>
              fail("Shutdown", "a ShutdownResponse", error.message),
            );
            const after = await watch.until(
              (s) => s.lastIndexOf("NOT_SERVING") > s.indexOf("SERVING"),
              5_000,
            );
            expectTrue(
              "Health/Watch after Shutdown",
              after.statuses.lastIndexOf("NOT_SERVING") > after.statuses.indexOf("SERVING"),
              "NOT_SERVING sent to the watcher before the server closes",
              `statuses ${JSON.stringify(after.statuses)}, stream ${after.ended ?? "still open after 5 s"}`,
            );
          } finally {
            watch.cancel();
            clients.close();
          }
        });
      },
    },
  ],
};
