/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temporary
 * directory, listening on a free loopback port, trust authentication on
 * 127.0.0.1 only, durability switched off (fsync, full_page_writes,
 * synchronous_commit) because the data dies with the test.
 *
 * Binaries come from PATH, else the newest /usr/lib/postgresql/<major>/bin.
 * PostgreSQL refuses to run as root, so when the tests run as root the server
 * runs as the `postgres` system user (`runuser -u postgres --`) and the
 * temporary directory is handed to that user.
 *
 * Per test file (each file gets its own server; files run in parallel forks):
 *
 *   import { usePostgres } from "../../../test/support/postgres.js";
 *   const pg = usePostgres();            // registers beforeAll/afterAll
 *   it("...", async () => {
 *     const dsn = await pg().createDatabase("case_1");
 *   });
 *
 * Or by hand:
 *
 *   const server = await startPostgres();
 *   try { ... server.dsn ... } finally { await server.stop(); }
 *
 * A server left behind by a crashed test process is stopped (immediate mode)
 * by an exit hook, so no postmaster outlives the vitest worker.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { quoteIdentifier } from "@floe/quality-sdk";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** `postgresql://user@127.0.0.1:port/database` (trust auth: no password). */
  readonly dsn: string;
  /** Creates an empty database and returns its DSN. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown, then removes the data directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** How long to wait for the server to accept connections (default 30 s). */
  readonly startTimeoutMs?: number;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

const SUPERUSER = "postgres";
const HOST = "127.0.0.1";

export function findPostgresBin(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) return dir;
  }
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const bin = join(root, major, "bin");
      if (existsSync(join(bin, "initdb"))) return bin;
    }
  }
  throw new Error(
    "PostgreSQL binaries not found: put initdb/postgres on PATH or install postgresql (apt-get install postgresql)",
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const runningAsRoot = process.getuid?.() === 0;

/** Command prefix that drops root to the postgres system user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return runningAsRoot ? ["runuser", ["-u", SUPERUSER, "--", command, ...args]] : [command, args];
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", SUPERUSER], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", SUPERUSER], { encoding: "utf8" }).trim());
  return { uid, gid };
}

const quoteIdent = (name: string) => quoteIdentifier(name, "postgres");

function dsnFor(port: number, database: string): string {
  return `postgresql://${SUPERUSER}@${HOST}:${port}/${encodeURIComponent(database)}`;
}

async function waitUntilAccepting(
  port: number,
  child: ChildProcess,
  deadline: number,
  stderr: () => string,
): Promise<void> {
  let lastError = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `postgres exited during startup (${child.exitCode ?? child.signalCode}): ${stderr()}`,
      );
    }
    const client = new pg.Client({ host: HOST, port, user: SUPERUSER, database: "postgres" });
    try {
      await client.connect();
      await client.query("select 1");
      await client.end();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(
    `postgres did not accept connections on ${HOST}:${port} in time: ${lastError}\n${stderr()}`,
  );
}

const liveServers = new Set<() => void>();
process.once("exit", () => {
  for (const kill of liveServers) kill();
});

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function signal(pid: number | null, sig: NodeJS.Signals): void {
  if (pid === null) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const root = mkdtempSync(join(tmpdir(), "floe-pg-"));
  const dataDir = join(root, "data");
  if (runningAsRoot) {
    const { uid, gid } = postgresUserIds();
    chownSync(root, uid, gid);
  }
  const [initCmd, initArgs] = asServerUser(join(bin, "initdb"), [
    "-D",
    dataDir,
    "-U",
    SUPERUSER,
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
    "--no-instructions",
  ]);
  try {
    execFileSync(initCmd, initArgs, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`initdb failed: ${stderr || String(error)}`);
  }

  const settings: Record<string, string> = {
    fsync: "off",
    full_page_writes: "off",
    synchronous_commit: "off",
    unix_socket_directories: root,
    max_connections: "50",
    ...options.settings,
  };
  let lastAttemptError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ["-D", dataDir, "-h", HOST, "-p", String(port)];
    for (const [k, v] of Object.entries(settings)) args.push("-c", `${k}=${v}`);
    const [cmd, cmdArgs] = asServerUser(join(bin, "postgres"), args);
    const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    const killNow = () => {
      signal(postmasterPid(dataDir), "SIGQUIT");
      rmSync(root, { recursive: true, force: true });
    };
    liveServers.add(killNow);
    try {
      await waitUntilAccepting(
        port,
        child,
        Date.now() + (options.startTimeoutMs ?? 30_000),
        () => log,
      );
    } catch (error) {
      lastAttemptError = error;
      signal(postmasterPid(dataDir), "SIGQUIT");
      child.kill("SIGKILL");
      await exited;
      liveServers.delete(killNow);
      if (/already in use|could not bind/i.test(log)) continue;
      break;
    }

    let stopped: Promise<void> | null = null;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        // SIGINT = "fast" shutdown: abort open transactions, checkpoint, exit.
        signal(postmasterPid(dataDir) ?? null, "SIGINT");
        const gone = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
        ]);
        if (!gone) {
          signal(postmasterPid(dataDir), "SIGQUIT");
          child.kill("SIGKILL");
          await exited;
        }
        liveServers.delete(killNow);
        rmSync(root, { recursive: true, force: true });
      })();
      return stopped;
    };

    return {
      host: HOST,
      port,
      user: SUPERUSER,
      database: "postgres",
      dsn: dsnFor(port, "postgres"),
      async createDatabase(name: string): Promise<string> {
        const client = new pg.Client({ host: HOST, port, user: SUPERUSER, database: "postgres" });
        await client.connect();
        try {
          await client.query(`create database ${quoteIdent(name)}`);
        } finally {
          await client.end();
        }
        return dsnFor(port, name);
      },
      stop,
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw lastAttemptError instanceof Error ? lastAttemptError : new Error(String(lastAttemptError));
}

/**
 * Registers beforeAll/afterAll in the calling test file: one server for the
 * file, stopped after its last test. Call the returned function inside tests.
 */
export function usePostgres(options: StartPostgresOptions = {}): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server)
      throw new Error("usePostgres(): the server is started in beforeAll; call this inside a test");
    return server;
  };
}
