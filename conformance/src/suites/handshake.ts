// Handshake: the one stdout line, the magic cookie, version negotiation, the
// private socket. Each test starts its own process with the environment it needs.
import { statSync } from "node:fs";
import { join } from "node:path";
import { PLUGIN_ENV, SOCKET_FILE_NAME } from "@floe/quality-sdk";
import { declares, needsOwnProcess, type SuiteContext } from "../context.js";
import { customersRelation, fixtureCases } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail } from "../framework.js";
import { checkOf, runRequest, suiteOf } from "../requests.js";
import {
  checkHealth,
  connectClients,
  getMetadata,
  listSuites,
  type PluginClients,
  runChecks,
  shutdown,
  validateConfig,
  validateSuite,
} from "../rpc.js";
import { describeExit, exitWithin, type RawPlugin, spawnRaw } from "../spawn.js";

export const HANDSHAKE = /^(\d+)\|(\d+)\|(unix|tcp)\|([^|]+)\|grpc$/;
export const START_MS = 10_000;

/**
 * How long a process the suite starts may take to print its handshake line: the
 * descriptor's start_timeout_seconds when it declares one (a plugin importing a
 * heavy library), else the host's default of 10 s.
 */
export function startMs(ctx: SuiteContext): number {
  return Math.max(START_MS, ctx.target.launch?.startTimeoutMs ?? 0);
}

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

/**
 * Every kind of call a plugin answers, so that a line written to stdout by any of
 * them shows. Their answers are judged by the other groups; here only stdout counts.
 */
async function exerciseEveryCall(ctx: SuiteContext, clients: PluginClients): Promise<void> {
  const ignore = () => undefined;
  await checkHealth(clients, "", 5_000).catch(ignore);
  await validateConfig(clients, { config: undefined }, 5_000).catch(ignore);
  await listSuites(clients, 5_000).catch(ignore);
  const fixture = ctx.dialect === undefined ? undefined : ctx.fixture(ctx.dialect);
  const first = fixture && fixtureCases(fixture).find((c) => declares(ctx, c.type));
  if (fixture === undefined || first === undefined) return;
  const suite = suiteOf([checkOf(first)]);
  const relation = customersRelation(fixture);
  await validateSuite(clients, { suite, connection: fixture.connection, relation }, 10_000).catch(
    ignore,
  );
  await runChecks(clients, runRequest(fixture, relation, suite), 20_000);
}

/** Spawns the plugin with `overrides` and expects the started-by-hand refusal. */
async function expectStartedByHandRefusal(
  ctx: SuiteContext,
  cookie: string | undefined,
  what: string,
): Promise<void> {
  await withPlugin(
    spawnRaw(ctx.target.launch!, { [PLUGIN_ENV.magicCookie]: cookie }),
    async (plugin) => {
      const exit = await exitWithin(plugin, startMs(ctx));
      if (exit === undefined)
        fail(`exit ${what}`, "exit code 1 at once", "still running after 10 s");
      expectEqual(`exit ${what}`, "exit code 1", describeExit(exit));
      expectTrue(
        `stderr ${what}`,
        /floe-quality/i.test(plugin.stderr()) && /host/i.test(plugin.stderr()),
        "a message saying the binary is a floe-quality plugin started by the host",
        plugin.stderr().slice(0, 500),
      );
      expectEqual(`stdout ${what}`, "", plugin.stdout());
    },
  );
}

export const handshakeGroup: ConformanceGroup = {
  name: "handshake",
  about: "the stdout handshake line, the magic cookie and protocol version negotiation",
  requires: needsOwnProcess,
  tests: [
    {
      name: "prints CORE|APP|NETWORK|ADDRESS|grpc once listening, and nothing else on stdout",
      timeoutMs: 60_000,
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await plugin
            .firstLine(startMs(ctx))
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
            await exerciseEveryCall(ctx, clients);
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
        await expectStartedByHandRefusal(ctx, undefined, "without the cookie");
      },
    },
    {
      name: "a wrong or empty magic cookie value is refused like a missing one",
      async run(ctx) {
        await expectStartedByHandRefusal(
          ctx,
          "floe-quality-plugin-00000000",
          "with a wrong cookie",
        );
        await expectStartedByHandRefusal(ctx, "", "with an empty cookie");
      },
    },
    {
      name: "no common protocol version: names both version lists on stderr and exits 1",
      async run(ctx) {
        await withPlugin(
          spawnRaw(ctx.target.launch!, { [PLUGIN_ENV.protocolVersions]: "97,98" }),
          async (plugin) => {
            const exit = await exitWithin(plugin, startMs(ctx));
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
              .firstLine(startMs(ctx))
              .catch((error: Error) =>
                fail("handshake with versions 1,5", "a handshake line", error.message),
              );
            expectEqual("APP for host versions 1,5", "1", HANDSHAKE.exec(line)?.[2]);
          },
        );
      },
    },
    {
      name: "reads an unset or empty FLOE_PLUGIN_PROTOCOL_VERSIONS as version 1",
      // Two processes started at once, each with the plugin's whole start budget.
      timeoutMs: 90_000,
      async run(ctx) {
        const cases = [
          ["unset", undefined],
          ["empty", ""],
        ] as const;
        const apps = await Promise.all(
          cases.map(([what, value]) =>
            withPlugin(
              spawnRaw(ctx.target.launch!, { [PLUGIN_ENV.protocolVersions]: value }),
              async (plugin) => {
                const line = await plugin
                  .firstLine(startMs(ctx))
                  .catch(
                    (error: Error) =>
                      `no handshake: ${error.message}; stderr: ${plugin.stderr().slice(-300)}`,
                  );
                return [what, HANDSHAKE.exec(line)?.[2] ?? line] as const;
              },
            ),
          ),
        );
        expectEqual(
          "APP with FLOE_PLUGIN_PROTOCOL_VERSIONS unset and empty",
          { unset: "1", empty: "1" },
          Object.fromEntries(apps),
        );
      },
    },
    {
      name: "binds its Unix socket 0600 inside the host's private directory",
      async run(ctx) {
        await withPlugin(spawnRaw(ctx.target.launch!), async (plugin) => {
          const line = await plugin
            .firstLine(startMs(ctx))
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
