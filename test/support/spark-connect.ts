/**
 * A throwaway Spark Connect server for tests, started from the installed pyspark
 * (its `sbin/start-connect-server.sh --wait`, the bundled connect jar) with a
 * local master, on a free loopback port, its UI (and so the status REST API) on
 * another. One server per test file: a JVM start costs tens of seconds.
 *
 *   const server = await startSparkConnect();
 *   try { ... server.host, server.port ... } finally { await server.stop(); }
 *
 * `sql()` runs a statement through a Spark Connect client (the project's
 * .venv), e.g. to create a global temporary view every session of the server sees.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./postgres.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PYTHON = join(ROOT, ".venv", "bin", "python");
const HOST = "127.0.0.1";
const READY = "Spark Connect server started at";

export interface SparkConnectServer {
  readonly host: string;
  readonly port: number;
  /** `sc://host:port`. */
  readonly url: string;
  /** Runs one Spark SQL statement through a Connect client. */
  sql(statement: string): void;
  /** Ids of the jobs the server's status tracker lists as running (its REST API). */
  runningJobs(): Promise<number[]>;
  stop(): Promise<void>;
}

function pysparkHome(): string {
  return execFileSync(
    PYTHON,
    ["-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"],
    {
      encoding: "utf8",
    },
  ).trim();
}

export async function startSparkConnect(startTimeoutMs = 240_000): Promise<SparkConnectServer> {
  const home = pysparkHome();
  const [port, uiPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "floe-spark-connect-"));
  const child: ChildProcess = spawn(
    "bash",
    [
      join(home, "sbin", "start-connect-server.sh"),
      "--wait",
      "--master",
      "local[2]",
      "--conf",
      `spark.connect.grpc.binding.address=${HOST}`,
      "--conf",
      `spark.connect.grpc.binding.port=${port}`,
      "--conf",
      `spark.ui.port=${uiPort}`,
      "--conf",
      "spark.sql.session.timeZone=UTC",
      "--conf",
      "spark.sql.shuffle.partitions=1",
      // Suites of parallel sessions share the two cores instead of queueing behind one another.
      "--conf",
      "spark.scheduler.mode=FAIR",
      "--conf",
      `spark.sql.warehouse.dir=${join(dir, "warehouse")}`,
    ],
    {
      env: { ...process.env, SPARK_HOME: home, SPARK_LOG_DIR: dir, SPARK_PID_DIR: dir },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  let output = "";
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(
      () =>
        failed(
          new Error(`Spark Connect did not start in ${startTimeoutMs} ms:\n${output.slice(-2000)}`),
        ),
      startTimeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      failed(
        new Error(`Spark Connect exited (${code}) before it started:\n${output.slice(-2000)}`),
      );
    });
  });
  // Keep draining the log so the server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const url = `sc://${HOST}:${port}`;
  const ui = `http://${HOST}:${uiPort}/api/v1/applications`;
  let stopped = false;
  return {
    host: HOST,
    port,
    url,
    sql(statement) {
      execFileSync(
        PYTHON,
        [
          "-c",
          "import sys\nfrom pyspark.sql import SparkSession\nSparkSession.builder.remote(sys.argv[1]).getOrCreate().sql(sys.argv[2]).collect()",
          url,
          statement,
        ],
        { stdio: ["ignore", "ignore", "pipe"], timeout: 180_000 },
      );
    },
    async runningJobs() {
      const apps = (await (await fetch(ui)).json()) as { id: string }[];
      const jobs = (await (await fetch(`${ui}/${apps[0]?.id}/jobs?status=running`)).json()) as {
        jobId: number;
      }[];
      return jobs.map((j) => j.jobId);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.pid !== undefined) {
        process.kill(-child.pid, "SIGTERM");
        const killer = setTimeout(() => {
          if (child.exitCode === null && child.pid !== undefined)
            process.kill(-child.pid, "SIGKILL");
        }, 20_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
