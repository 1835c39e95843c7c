import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildEndEvent,
  buildStartEvent,
  fileTransport,
  httpTransport,
  LineageEmitter,
  lineageEmitterFromEnv,
  newRunId,
  type QualityRunLineage,
  type RunEvent,
} from "../src/lineage/index.js";
import { RunEventSchema } from "../src/lineage/schema.js";

const run: QualityRunLineage = {
  runId: "0193a5f0-7c1e-7b3a-9f00-000000000001",
  namespace: "shop",
  model: "customers",
  dataset: { namespace: "postgres://127.0.0.1:5432", name: "shop.analytics.customers" },
};
const now = new Date("2026-11-25T10:00:00.000Z");
const checks = [
  {
    check_name: "id_present",
    check_type: "not_null",
    column: "customer_id",
    passed: false,
    status: "failed",
    severity: "critical",
    records_checked: 10,
    records_failed: 3,
  },
  {
    check_name: "row_count",
    check_type: "row_count_between",
    passed: true,
    status: "passed",
    severity: "warning",
    records_checked: 10,
    records_failed: 0,
    details: { observed_value: 10, row_count: 10 },
  },
  {
    check_name: "disabled",
    check_type: "unique",
    column: "email",
    passed: true,
    status: "skipped",
    severity: "info",
  },
];
const score = {
  overall: 82.5,
  dimension_scores: {
    completeness: 50,
    accuracy: 100,
    validity: 100,
    consistency: 100,
    timeliness: 100,
  },
  checks_passed: 1,
  checks_failed: 1,
  dbt_tests_passed: 0,
  dbt_tests_failed: 0,
};

describe("OpenLineage events", () => {
  it("START names the job <model>.quality and the checked dataset as input", () => {
    const event = buildStartEvent(run, now);
    expect(RunEventSchema.parse(event)).toEqual(event);
    expect(event.eventType).toBe("START");
    expect(event.job).toMatchObject({ namespace: "shop", name: "customers.quality" });
    expect(event.inputs).toEqual([
      { namespace: "postgres://127.0.0.1:5432", name: "shop.analytics.customers" },
    ]);
    expect(event.eventTime).toBe("2026-11-25T10:00:00.000Z");
  });

  it("COMPLETE carries assertions, metrics and the score facet; skipped checks are left out", () => {
    const event = buildEndEvent(run, { checks, score, verdict: "warn", qualityTier: "gold" }, now);
    RunEventSchema.parse(event);
    expect(event.eventType).toBe("COMPLETE");
    const facets = event.inputs[0]?.inputFacets as Record<string, { [k: string]: unknown }>;
    expect(facets.dataQualityAssertions?.assertions).toEqual([
      {
        assertion: "not_null",
        success: false,
        severity: "error",
        name: "id_present",
        column: "customer_id",
      },
      {
        assertion: "row_count_between",
        success: true,
        severity: "warn",
        name: "row_count",
        actual: "10",
      },
    ]);
    expect(facets.dataQualityMetrics).toMatchObject({
      rowCount: 10,
      columnMetrics: { customer_id: { nullCount: 3 } },
    });
    expect(event.run.facets?.floeQualityScore).toMatchObject({
      overall: 82.5,
      verdict: "warn",
      quality_tier: "gold",
      checks_failed: 1,
    });
    expect(event.run.facets?.errorMessage).toBeUndefined();
  });

  it("FAIL carries errorMessage and the parent run when the orchestrator gave one", () => {
    const event = buildEndEvent(
      {
        ...run,
        parent: {
          runId: "0193a5f0-7c1e-7b3a-9f00-0000000000aa",
          namespace: "dagster",
          name: "shop_job",
        },
      },
      {
        checks,
        score,
        verdict: "fail",
        errorMessage: "FLOE-DQ102: score 45 is below min_score 60",
      },
      now,
    );
    RunEventSchema.parse(event);
    expect(event.eventType).toBe("FAIL");
    expect(event.run.facets?.errorMessage).toMatchObject({
      message: "FLOE-DQ102: score 45 is below min_score 60",
      programmingLanguage: "TypeScript",
    });
    expect(event.run.facets?.parent).toMatchObject({
      run: { runId: "0193a5f0-7c1e-7b3a-9f00-0000000000aa" },
      job: { namespace: "dagster", name: "shop_job" },
    });
  });

  it("run ids are UUIDv7 and increase with time", () => {
    const a = newRunId();
    const b = newRunId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
  });
});

/** A real HTTP backend on loopback that records what it receives. */
class RecordingBackend {
  readonly received: RunEvent[] = [];
  readonly authorizations: Array<string | undefined> = [];
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/api/v1/lineage" && req.method === "POST") {
          this.received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          this.authorizations.push(req.headers.authorization);
          res.writeHead(201).end();
        } else {
          res.writeHead(404).end();
        }
      });
    });
    this.server.listen(port, "127.0.0.1");
    await once(this.server, "listening");
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
    this.server = undefined;
  }
}

describe("lineage delivery", () => {
  let dir: string;
  let backend: RecordingBackend;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "floe-lineage-"));
    backend = new RecordingBackend();
  });
  afterEach(async () => {
    await backend.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function eventsOfRuns(count: number): RunEvent[] {
    const events: RunEvent[] = [];
    for (let i = 0; i < count; i++) {
      const r = { ...run, runId: newRunId(), model: `model_${i}` };
      events.push(buildStartEvent(r, now), buildEndEvent(r, { checks, score }, now));
    }
    return events;
  }

  it("delivers to an HTTP backend with the API key as a bearer token", async () => {
    await backend.start();
    const emitter = new LineageEmitter({
      transport: httpTransport({ url: `http://127.0.0.1:${backend.port}`, apiKey: "k-123" }),
      spoolDir: join(dir, "spool"),
    });
    const events = eventsOfRuns(1);
    for (const e of events) await emitter.emit(e);
    expect(await emitter.flush(5_000)).toBe(true);
    expect(backend.received).toEqual(events);
    expect(backend.authorizations).toEqual(["Bearer k-123", "Bearer k-123"]);
    emitter.close();
  });

  it("keeps events while the backend is down and delivers them in order, once, after a restart", async () => {
    // Reserve a port, then close it so nothing listens there during the outage.
    await backend.start();
    const port = backend.port;
    await backend.stop();

    const warnings: string[] = [];
    const transport = () =>
      httpTransport({ url: `http://127.0.0.1:${port}`, timeoutMs: 500, retries: 0 });
    const first = new LineageEmitter({
      transport: transport(),
      spoolDir: join(dir, "spool"),
      warn: (m) => warnings.push(m),
      retryMs: 50,
    });
    const events = eventsOfRuns(3);
    for (const e of events) await first.emit(e);
    expect(await first.flush(300)).toBe(false);
    expect(await first.pending()).toBe(6);
    first.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^FLOE-DQ110 lineage backend unavailable, events kept in /);

    // A new emitter on the same spool stands for the restarted host.
    await backend.start(port);
    const second = new LineageEmitter({
      transport: transport(),
      spoolDir: join(dir, "spool"),
      retryMs: 50,
    });
    await second.start();
    expect(await second.flush(5_000)).toBe(true);
    expect(backend.received.map((e) => `${e.job.name}:${e.eventType}`)).toEqual(
      events.map((e) => `${e.job.name}:${e.eventType}`),
    );
    expect(backend.received).toEqual(events);
    second.close();
  });

  it("a refusing backend never throws into the caller", async () => {
    const warnings: string[] = [];
    const emitter = new LineageEmitter({
      transport: httpTransport({ url: "http://127.0.0.1:9", timeoutMs: 200, retries: 0 }),
      warn: (m) => warnings.push(m),
    });
    await expect(emitter.emit(eventsOfRuns(1)[0]!)).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^FLOE-DQ110 lineage event not delivered: could not deliver to http:\/\/127\.0\.0\.1:9\/api\/v1\/lineage/,
    );
  });

  it("the file transport writes one JSON line per event", async () => {
    const path = join(dir, "out", "lineage.jsonl");
    const emitter = new LineageEmitter({ transport: fileTransport(path) });
    const events = eventsOfRuns(2);
    for (const e of events) await emitter.emit(e);
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
  });

  it("the environment picks the transport", () => {
    expect(lineageEmitterFromEnv({}, dir).transport.kind).toBe("none");
    expect(
      lineageEmitterFromEnv({ OPENLINEAGE_URL: "http://127.0.0.1:1" }, dir).transport.kind,
    ).toBe("http");
    expect(
      lineageEmitterFromEnv({ OPENLINEAGE_URL: "http://x", OPENLINEAGE_DISABLED: "true" }, dir)
        .transport.kind,
    ).toBe("none");
    expect(lineageEmitterFromEnv({ FLOE_LINEAGE_TRANSPORT: "file" }, dir).transport.kind).toBe(
      "file",
    );
    expect(() => lineageEmitterFromEnv({ FLOE_LINEAGE_TRANSPORT: "kafka" }, dir)).toThrow(
      "FLOE_LINEAGE_TRANSPORT=kafka is not one of http, file, console, none",
    );
  });
});
