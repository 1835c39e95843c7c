// The Go example plugin (plugins/examples/go, written from the protocol document
// without an SDK) passes the suite for everything it declares, on a real
// PostgreSQL, found through plugin discovery like any installed plugin.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../test/support/postgres.js";
import { runConformance } from "../src/run.js";
import { spawnRaw } from "../src/spawn.js";

const BINARY = join(import.meta.dirname, "../../plugins/examples/go/bin/floe-go-example");

let server: PostgresServer;
let dsn: string;

beforeAll(async () => {
  server = await startPostgres();
  dsn = await server.createDatabase("go_example");
});

afterAll(async () => {
  await server?.stop();
});

describe("the Go example plugin", () => {
  it("is built by the set-up (scripts/setup.sh runs go build)", () => {
    expect(
      existsSync(BINARY),
      "build it: scripts/setup.sh, or go build -o bin/floe-go-example . in plugins/examples/go",
    ).toBe(true);
  });

  it("passes every applicable conformance test on PostgreSQL", async () => {
    const report = await runConformance({
      target: { kind: "provider", provider: "go_example" },
      dialect: "postgres",
      pgDsn: dsn,
      focus: [],
      skip: [],
      junit: undefined,
      json: false,
    });
    const failed = report.groups.flatMap((g) =>
      g.tests.filter((t) => t.status === "failed").map((t) => ({ id: t.id, failure: t.failure })),
    );
    expect(failed).toEqual([]);
    expect(report.plugin?.name).toBe("go_example");
    expect(report.dialect).toBe("postgres");
    const passed = report.groups.flatMap((g) =>
      g.tests.filter((t) => t.status === "passed").map((t) => t.id),
    );
    expect(passed).toContain("run-checks › accepted_values");
    expect(passed).toContain("deadline › stops the cancelled work within the deadline + 2 s");
    expect(passed).toContain(
      "lifecycle › exits 0 when its stdin reaches EOF, removing its socket and the private directory",
    );
    expect(report.passed).toBe(true);
  }, 120_000);
});

describe("the Go example as a sidecar", () => {
  it("passes when dialled at its address; the process-owning groups are skipped with the reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "floe-go-sidecar-"));
    const socket = join(dir, "p.sock");
    const sidecar = spawnRaw(
      { name: "go_example", file: BINARY, args: [] },
      { FLOE_PLUGIN_LISTEN: `unix://${socket}`, FLOE_PLUGIN_MAGIC_COOKIE: undefined },
    );
    try {
      expect(await sidecar.firstLine(10_000)).toBe(`1|1|unix|${socket}|grpc`);
      const report = await runConformance({
        target: { kind: "address", address: `unix://${socket}`, insecure: false },
        dialect: "postgres",
        pgDsn: dsn,
        focus: [],
        skip: [],
        junit: undefined,
        json: false,
      });
      const failed = report.groups.flatMap((g) =>
        g.tests.filter((t) => t.status === "failed").map((t) => t.id),
      );
      expect(failed).toEqual([]);
      const sidecarReason =
        "the plugin runs as a sidecar (--plugin-addr): the suite does not own its process";
      for (const group of ["handshake", "logs", "lifecycle"]) {
        const tests = report.groups.find((g) => g.name === group)!.tests;
        expect(tests.map((t) => t.reason)).toEqual(tests.map(() => sidecarReason));
      }
      const deadline = report.groups.find((g) => g.name === "deadline")!.tests;
      expect(deadline.map((t) => t.status)).toEqual(["passed", "passed", "passed"]);
      expect(report.passed).toBe(true);
    } finally {
      await sidecar.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the Go example's generated stubs", () => {
  it("match proto/ (plugins/examples/go/generate.sh --check)", () => {
    const check = spawnSync(
      "bash",
      [join(import.meta.dirname, "../../plugins/examples/go/generate.sh"), "--check"],
      {
        encoding: "utf8",
        // Generous: the check builds the Go generator, slow on a busy machine.
        timeout: 600_000,
      },
    );
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  }, 610_000);
});
