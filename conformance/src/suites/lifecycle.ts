// Lifecycle: the plugin exits cleanly after Shutdown, when its stdin reaches EOF
// (the host died), and on SIGTERM.
import { existsSync } from "node:fs";
import { needsOwnProcess, type SuiteContext } from "../context.js";
import { type ConformanceGroup, expectEqual, fail } from "../framework.js";
import { connectClients, shutdown } from "../rpc.js";
import { describeExit, exitWithin, type RawPlugin, spawnRaw } from "../spawn.js";
import { dialTarget, HANDSHAKE, startMs, withPlugin } from "./handshake.js";

const EXIT_MS = 5_000;

async function handshakeOf(ctx: SuiteContext, plugin: RawPlugin): Promise<string> {
  return plugin
    .firstLine(startMs(ctx))
    .catch((error: Error) => fail("handshake line", "a handshake line", error.message));
}

async function expectExit(plugin: RawPlugin, after: string, code: string): Promise<void> {
  const exit = await exitWithin(plugin, EXIT_MS);
  expectEqual(
    `exit ${after}`,
    code,
    exit === undefined ? `still running after ${EXIT_MS / 1000} s` : describeExit(exit),
  );
}

/** The socket path of a unix handshake line, or undefined for tcp. */
function socketOf(line: string): string | undefined {
  const m = HANDSHAKE.exec(line);
  return m?.[3] === "unix" ? m[4] : undefined;
}

/** SIGTERM and SIGINT: the same as Shutdown (exit 0, socket removed, directory kept). */
function signalTest(signal: "SIGTERM" | "SIGINT") {
  return {
    name: `exits 0 on ${signal} and removes its socket`,
    async run(ctx: SuiteContext) {
      await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
        const socket = socketOf(await handshakeOf(ctx, plugin));
        plugin.child.kill(signal);
        await expectExit(plugin, `on ${signal}`, "exit code 0");
        if (socket !== undefined)
          expectEqual(`socket file after ${signal}`, false, existsSync(socket));
      });
    },
  };
}

export const lifecycleGroup: ConformanceGroup = {
  name: "lifecycle",
  about: "exit after Shutdown, on stdin EOF, on SIGTERM and SIGINT, with the socket cleaned up",
  requires: needsOwnProcess,
  tests: [
    {
      name: "answers Shutdown, exits 0 and removes its socket",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await handshakeOf(ctx, plugin);
          const clients = connectClients(dialTarget(line));
          try {
            await shutdown(clients, EXIT_MS).catch((error: Error) =>
              fail("Shutdown", "a ShutdownResponse", error.message),
            );
          } finally {
            clients.close();
          }
          await expectExit(plugin, "after Shutdown", "exit code 0");
          const socket = socketOf(line);
          if (socket !== undefined) {
            expectEqual("socket file after exit", false, existsSync(socket));
            // The host still lives: its private directory is the host's to remove.
            expectEqual(
              "the host's private directory after Shutdown",
              true,
              existsSync(plugin.socketDir),
            );
          }
        });
      },
    },
    {
      name: "exits 0 when its stdin reaches EOF, removing its socket and the private directory",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const socket = socketOf(await handshakeOf(ctx, plugin));
          plugin.child.stdin?.end();
          const exit = await exitWithin(plugin, EXIT_MS);
          if (exit === undefined)
            fail("exit on stdin EOF", `exit within ${EXIT_MS / 1000} s`, "still running");
          expectEqual("exit on stdin EOF", "exit code 0", describeExit(exit));
          if (socket !== undefined) {
            expectEqual("socket file after stdin EOF", false, existsSync(socket));
            expectEqual(
              "the private directory after stdin EOF (the host is gone: the plugin removes it)",
              false,
              existsSync(plugin.socketDir),
            );
          }
        });
      },
    },
    signalTest("SIGTERM"),
    signalTest("SIGINT"),
  ],
};
