// Handshake: the one stdout line, the magic cookie, version negotiation, the
// private socket. Each test starts its own process with the environment it needs.
import { statSync } from "node:fs";
import { join } from "node:path";
import { PLUGIN_ENV, SOCKET_FILE_NAME } from "@floe/quality-sdk";
import { needsOwnProcess } from "../context.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail } from "../framework.js";
import { connectClients, getMetadata, shutdown } from "../rpc.js";
import { describeExit, exitWithin, type RawPlugin, spawnRaw } from "../spawn.js";

export const HANDSHAKE = /^(\d+)\|(\d+)\|(unix|tcp)\|([^|]+)\|grpc$/;
export const START_MS = 10_000;

export async function withPlugin<T>(
  plugin: RawPlugin,
  body: (plugin: RawPlugin) => Promise<T>,
): Promise<T> {
  try {
    return await body(plugin);
  } finally {
    await plugin.dispose();
  }
}

export function dialTarget(line: string): string {
  const m = HANDSHAKE.exec(line);
  if (m === null) fail("handshake line format", "CORE|APP|NETWORK|ADDRESS|grpc", line);
  return m[3] === "unix" ? `unix:${m[4]}` : m[4]!;
}

export const handshakeGroup: ConformanceGroup = {
  name: "handshake",
  about: "the stdout handshake line, the magic cookie and protocol version negotiation",
  requires: needsOwnProcess,
  tests: [
    {
      name: "prints CORE|APP|NETWORK|ADDRESS|grpc once listening, and nothing else on stdout",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await plugin
            .firstLine(START_MS)
            .catch((error: Error) =>
              fail(
                "handshake line",
                "one line CORE|APP|NETWORK|ADDRESS|grpc",
                `${error.message}; stderr: ${plugin.stderr().slice(-500)}`,
              ),
            );
          const m = HANDSHAKE.exec(line);
          if (m === null) fail("handshake line format", "CORE|APP|NETWORK|ADDRESS|grpc", line);
          expectEqual("CORE (handshake format version)", "1", m[1]);
          expectEqual("APP (negotiated protocol version)", "1", m[2]);
          if (m[3] === "unix") {
            expectEqual("socket path", join(plugin.socketDir, SOCKET_FILE_NAME), m[4]);
          }
          // The line promises a listening server: the first call must connect.
          const clients = connectClients(dialTarget(line));
          try {
            await getMetadata(clients, 5_000).catch((error: Error) =>
              fail("GetMetadata right after the handshake line", "an answer", error.message),
            );
            await shutdown(clients, 5_000).catch(() => undefined);
          } finally {
            clients.close();
          }
          await exitWithin(plugin, 5_000);
          const lines = plugin
            .stdout()
            .split("\n")
            .filter((l) => l !== "");
          expectEqual("stdout over the plugin's whole life", [line], lines);
        });
      },
    },
    {
      name: "started by hand (no magic cookie) explains itself on stderr and exits 1",
      async run(ctx) {
        await withPlugin(
          spawnRaw(ctx.target.launch!, { [PLUGIN_ENV.magicCookie]: undefined }),
          async (plugin) => {
            const exit = await exitWithin(plugin, START_MS);
            if (exit === undefined)
              fail("exit without the cookie", "exit code 1 at once", "still running after 10 s");
            expectEqual("exit without the cookie", "exit code 1", describeExit(exit));
            expectTrue(
              "stderr without the cookie",
              /floe-quality/i.test(plugin.stderr()) && /host/i.test(plugin.stderr()),
              "a message saying the binary is a floe-quality plugin started by the host",
              plugin.stderr().slice(0, 500),
            );
            expectEqual("stdout without the cookie", "", plugin.stdout());
          },
        );
      },
    },
    {
      name: "no common protocol version: names both version lists on stderr and exits 1",
      async run(ctx) {
        await withPlugin(
          spawnRaw(ctx.target.launch!, { [PLUGIN_ENV.protocolVersions]: "97,98" }),
          async (plugin) => {
            const exit = await exitWithin(plugin, START_MS);
            if (exit === undefined)
              fail(
                "exit on a foreign protocol version",
                "exit code 1 at once",
                "still running after 10 s",
              );
            expectEqual("exit on a foreign protocol version", "exit code 1", describeExit(exit));
            expectTrue(
              "stderr on a foreign protocol version",
              plugin.stderr().includes("97") &&
                plugin.stderr().includes("98") &&
                /\b1\b/.test(plugin.stderr()),
              "a message naming the host's versions (97,98) and the plugin's (1)",
              plugin.stderr().slice(0, 500),
            );
          },
        );
      },
    },
    {
      name: "picks the highest common version from a list (1,5)",
      async run(ctx) {
        await withPlugin(
          spawnRaw(ctx.target.launch!, { [PLUGIN_ENV.protocolVersions]: "1,5" }),
          async (plugin) => {
            const line = await plugin
              .firstLine(START_MS)
              .catch((error: Error) =>
                fail("handshake with versions 1,5", "a handshake line", error.message),
              );
            expectEqual("APP for host versions 1,5", "1", HANDSHAKE.exec(line)?.[2]);
          },
        );
      },
    },
    {
      name: "binds its Unix socket 0600 inside the host's private directory",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await plugin
            .firstLine(START_MS)
            .catch((error: Error) => fail("handshake line", "a handshake line", error.message));
          const m = HANDSHAKE.exec(line);
          if (m?.[3] !== "unix")
            fail(
              "network",
              "unix (a spawned plugin listens on its private socket)",
              m?.[3] ?? line,
            );
          const mode = statSync(m[4]!).mode & 0o777;
          expectEqual("socket permissions", "600", mode.toString(8));
        });
      },
    },
  ],
};
