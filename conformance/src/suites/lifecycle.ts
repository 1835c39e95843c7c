// Lifecycle: the plugin exits cleanly after Shutdown, when its stdin reaches EOF
// (the host died), and on SIGTERM.
import { existsSync } from "node:fs";
import { needsOwnProcess } from "../context.js";
import { type ConformanceGroup, expectEqual, fail } from "../framework.js";
import { connectClients, shutdown } from "../rpc.js";
import { describeExit, exitWithin, type RawPlugin, spawnRaw } from "../spawn.js";
import { dialTarget, HANDSHAKE, START_MS, withPlugin } from "./handshake.js";

const EXIT_MS = 5_000;

async function handshakeOf(plugin: RawPlugin): Promise<string> {
  return plugin
    .firstLine(START_MS)
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

export const lifecycleGroup: ConformanceGroup = {
  name: "lifecycle",
  about: "exit after Shutdown, on stdin EOF and on SIGTERM",
  requires: needsOwnProcess,
  tests: [
    {
      name: "answers Shutdown, exits 0 and removes its socket",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await handshakeOf(plugin);
          const clients = connectClients(dialTarget(line));
          try {
            await shutdown(clients, EXIT_MS).catch((error: Error) =>
              fail("Shutdown", "a ShutdownResponse", error.message),
            );
          } finally {
            clients.close();
          }
          await expectExit(plugin, "after Shutdown", "exit code 0");
          const m = HANDSHAKE.exec(line);
          if (m?.[3] === "unix") expectEqual("socket file after exit", false, existsSync(m[4]!));
        });
      },
    },
    {
      name: "exits when its stdin reaches EOF (the host is gone)",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          await handshakeOf(plugin);
          plugin.child.stdin?.end();
          const exit = await exitWithin(plugin, EXIT_MS);
          if (exit === undefined)
            fail("exit on stdin EOF", `exit within ${EXIT_MS / 1000} s`, "still running");
        });
      },
    },
    {
      name: "exits 0 on SIGTERM",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          await handshakeOf(plugin);
          plugin.child.kill("SIGTERM");
          await expectExit(plugin, "on SIGTERM", "exit code 0");
        });
      },
    },
  ],
};
