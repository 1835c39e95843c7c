// Logs: a plugin's stderr (at debug level), its results and its error messages
// never carry a connection password, whether the connection works or fails.
import { randomBytes } from "node:crypto";
import { contract, PLUGIN_ENV } from "@floe/quality-sdk";
import { declares, needsOwnProcess, needsRunningPlugin, type SuiteContext } from "../context.js";
import { customersRelation, type Fixture, fixtureCases } from "../fixture/index.js";
import { type ConformanceGroup, expectEqual, fail } from "../framework.js";
import { checkOf, MODEL_NAME, runRequest, suiteOf } from "../requests.js";
import { connectClients, type PluginClients, runChecks, shutdown, validateSuite } from "../rpc.js";
import { exitWithin, spawnRaw } from "../spawn.js";
import { dialTarget, startMs, withPlugin } from "./handshake.js";

/** A connection nobody answers: the plugin's connect error is where DSNs leak. */
function unreachable(password: string): contract.Connection {
  return contract.Connection.fromPartial({
    dialect: "postgres",
    host: "127.0.0.1",
    port: 1,
    database: "floe_conformance",
    user: "floe_conformance",
    password,
  });
}

/** The requests of this test: the working fixtures with the password set, and an unreachable server. */
interface Target {
  readonly connection: contract.Connection;
  readonly fixture: Fixture | undefined;
}

function targetsOf(ctx: SuiteContext, secret: string): Target[] {
  const out: Target[] = [];
  for (const dialect of ["duckdb", "postgres"] as const) {
    const fixture = ctx.fixture(dialect);
    if (fixture === undefined) continue;
    // A password the fixture already has is the secret to watch for; else ours
    // (DuckDB ignores it, a trust-authenticated PostgreSQL never asks for it).
    if (fixture.connection.password === "")
      out.push({ connection: { ...fixture.connection, password: secret }, fixture });
  }
  const primary = ctx.dialect === undefined ? undefined : ctx.fixture(ctx.dialect);
  out.push({ connection: unreachable(secret), fixture: primary });
  return out;
}

async function exercise(
  ctx: SuiteContext,
  clients: PluginClients,
  { connection, fixture }: Target,
): Promise<string[]> {
  const said: string[] = [];
  const first = fixture && fixtureCases(fixture).find((c) => declares(ctx, c.type));
  const check = first
    ? checkOf(first)
    : contract.QualityCheck.fromPartial({
        name: "nn_id",
        type: "not_null",
        column: "id",
        enabled: true,
      });
  const suite = suiteOf([check]);
  const relation = fixture ? customersRelation(fixture) : MODEL_NAME;
  await validateSuite(clients, { suite, connection, relation }, 20_000)
    .then((r) =>
      said.push(
        ...(r.result?.errors ?? []),
        ...(r.result?.diagnostics ?? []).map((d) => d.message),
      ),
    )
    .catch((error: Error) => said.push(error.message));
  const outcome = await runChecks(
    clients,
    {
      ...(fixture
        ? runRequest(fixture, relation, suite)
        : { suite, relation, runId: "conformance", options: undefined }),
      connection,
    },
    20_000,
  );
  if (outcome.error !== undefined) said.push(outcome.error.message);
  for (const r of outcome.results) said.push(r.errorMessage ?? "", JSON.stringify(r.details ?? {}));
  return said;
}

export const logsGroup: ConformanceGroup = {
  name: "logs",
  about: "no connection password on stderr (at debug level), in results or in error messages",
  requires: (ctx) => needsOwnProcess(ctx) ?? needsRunningPlugin(ctx),
  tests: [
    {
      name: "never writes a connection password to stderr, results or error messages",
      timeoutMs: 90_000,
      async run(ctx) {
        const secret = `floe-conformance-secret-${randomBytes(6).toString("hex")}`;
        await withPlugin(
          spawnRaw(ctx.target.launch!, { [PLUGIN_ENV.logLevel]: "debug" }),
          async (plugin) => {
            const line = await plugin
              .firstLine(startMs(ctx))
              .catch((error: Error) => fail("handshake line", "a handshake line", error.message));
            const clients = connectClients(dialTarget(line));
            const said: string[] = [];
            try {
              for (const target of targetsOf(ctx, secret))
                said.push(...(await exercise(ctx, clients, target)));
              await shutdown(clients, 5_000).catch(() => undefined);
            } finally {
              clients.close();
            }
            await exitWithin(plugin, 5_000);
            const leaks = plugin
              .stderr()
              .split("\n")
              .filter((l) => l.includes(secret))
              .map((l) => `stderr: ${l.slice(0, 300)}`);
            leaks.push(
              ...said.filter((s) => s.includes(secret)).map((s) => `answer: ${s.slice(0, 300)}`),
            );
            expectEqual("places where the password appeared", [], leaks);
          },
        );
      },
    },
  ],
};
