import { once } from "node:events";
import { mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
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
  readonly idempotencyKeys: Array<string | undefined> = [];
  /** Every POST, accepted or not, as `<eventType>:<job name>=<status>`. */
  readonly posts: string[] = [];
  /** The status to answer an event with; 201 by default. */
  answer: (event: RunEvent) => number = () => 201;
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/api/v1/lineage" && req.method === "POST") {
          const event: RunEvent = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          const status = this.answer(event);
          this.posts.push(`${event.eventType}:${event.job.name}=${status}`);
          if (status >= 300) {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify({ error: `refused ${event.job.name}` }));
            return;
          }
          this.received.push(event);
          this.authorizations.push(req.headers.authorization);
          this.idempotencyKeys.push(req.headers["idempotency-key"] as string | undefined);
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

  /** One run's two events spooled while no backend answers; the oldest spool file's name. */
  async function spooledWhileDown(spoolDir: string) {
    const emitter = new LineageEmitter({
      transport: httpTransport({ url: "http://127.0.0.1:9", timeoutMs: 200 }),
      spoolDir,
      retryMs: 60_000,
      warn: () => undefined,
    });
    const events = eventsOfRuns(1);
    for (const e of events) await emitter.emit(e);
    emitter.close();
    const [oldest] = (await readdir(spoolDir)).filter((n) => n.endsWith(".event.json")).sort();
    return { events, oldest: oldest! };
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
    const transport = () => httpTransport({ url: `http://127.0.0.1:${port}`, timeoutMs: 500 });
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
      transport: httpTransport({ url: "http://127.0.0.1:9", timeoutMs: 200 }),
      warn: (m) => warnings.push(m),
    });
    await expect(emitter.emit(eventsOfRuns(1)[0]!)).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^FLOE-DQ110 lineage event not delivered: http:\/\/127\.0\.0\.1:9\/api\/v1\/lineage did not answer/,
    );
  });

  it("moves an event the backend refuses (4xx) to the dead-letter file and delivers every other one", async () => {
    await backend.start();
    backend.answer = (event) =>
      event.job.name === "model_1.quality" && event.eventType === "START" ? 400 : 201;
    const warnings: string[] = [];
    const emitter = new LineageEmitter({
      transport: httpTransport({ url: `http://127.0.0.1:${backend.port}` }),
      spoolDir: join(dir, "state", "lineage-spool"),
      warn: (m) => warnings.push(m),
    });
    const events = eventsOfRuns(3);
    for (const e of events) await emitter.emit(e);
    expect(await emitter.flush(10_000)).toBe(true);
    emitter.close();
    expect(backend.received).toEqual(events.filter((_, i) => i !== 2));
    // Refused once, never retried.
    expect(backend.posts.filter((p) => p.endsWith("=400"))).toEqual(["START:model_1.quality=400"]);
    const deadLetters = (await readFile(join(dir, "state", "lineage-dead-letter.jsonl"), "utf8"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      http_status: 400,
      answer: '{"error":"refused model_1.quality"}',
      reason: `http://127.0.0.1:${backend.port}/api/v1/lineage rejected the event with HTTP 400`,
      event: events[2],
    });
    expect(warnings).toEqual([
      `FLOE-DQ110 lineage event START of run ${events[2]!.run.runId} refused: http://127.0.0.1:${backend.port}/api/v1/lineage rejected the event with HTTP 400; moved to ${join(dir, "state", "lineage-dead-letter.jsonl")}`,
    ]);
  });

  it("retries a 5xx answer with backoff, sending the same idempotency key each time", async () => {
    await backend.start();
    let failures = 2;
    backend.answer = () => (failures-- > 0 ? 503 : 201);
    const warnings: string[] = [];
    const emitter = new LineageEmitter({
      transport: httpTransport({ url: `http://127.0.0.1:${backend.port}` }),
      spoolDir: join(dir, "spool"),
      warn: (m) => warnings.push(m),
      retryMs: 20,
    });
    const [event] = eventsOfRuns(1);
    await emitter.emit(event!);
    expect(await emitter.flush(10_000)).toBe(true);
    emitter.close();
    expect(backend.posts).toEqual([
      "START:model_0.quality=503",
      "START:model_0.quality=503",
      "START:model_0.quality=201",
    ]);
    expect(backend.received).toEqual([event]);
    expect(backend.idempotencyKeys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(warnings).toEqual([
      `FLOE-DQ110 lineage backend unavailable, events kept in ${join(dir, "spool")}: http://127.0.0.1:${backend.port}/api/v1/lineage answered HTTP 503`,
    ]);
  });

  it("sends credentials of OPENLINEAGE_URL as Basic authentication and never prints them", async () => {
    await backend.start();
    const warnings: string[] = [];
    const emitter = lineageEmitterFromEnv(
      { OPENLINEAGE_URL: `http://floe:s3cr%40t-pw@127.0.0.1:${backend.port}` },
      dir,
      (m) => warnings.push(m),
    );
    const [event] = eventsOfRuns(1);
    await emitter.emit(event!);
    expect(await emitter.flush(10_000)).toBe(true);
    expect(backend.authorizations).toEqual([
      `Basic ${Buffer.from("floe:s3cr@t-pw").toString("base64")}`,
    ]);
    await backend.stop();
    await emitter.emit(event!);
    expect(await emitter.flush(200)).toBe(false);
    emitter.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`http://127.0.0.1:${backend.port}/api/v1/lineage did not answer`);
    expect(warnings.join("\n")).not.toContain("s3cr");
  });

  it("bounds the spool: past the event limit the oldest are dropped with a warning", async () => {
    const warnings: string[] = [];
    const emitter = new LineageEmitter({
      transport: httpTransport({ url: "http://127.0.0.1:9", timeoutMs: 200 }),
      spoolDir: join(dir, "spool"),
      spoolLimits: { maxEvents: 3 },
      warn: (m) => warnings.push(m),
      retryMs: 60_000,
    });
    const events = eventsOfRuns(2);
    for (const e of events) await emitter.emit(e);
    emitter.close();
    const kept = (await readdir(join(dir, "spool"))).filter((n) => n.endsWith(".event.json"));
    expect(kept).toHaveLength(3);
    expect(
      await Promise.all(
        kept.map(async (n) => JSON.parse(await readFile(join(dir, "spool", n), "utf8"))),
      ),
    ).toEqual(events.slice(1));
    expect(warnings.filter((w) => w.includes("is full"))).toEqual([
      `FLOE-DQ110 lineage spool ${join(dir, "spool")} is full (3 events or 67108864 bytes): dropped the 1 oldest undelivered event(s)`,
    ]);
  });

  it("drops spooled events past the age limit with a warning instead of delivering them", async () => {
    await backend.start();
    const warnings: string[] = [];
    const spoolDir = join(dir, "spool");
    const { events, oldest } = await spooledWhileDown(spoolDir);
    // Age the oldest event by renaming it to an emission time a year ago.
    const aged = `${String(Date.now() - 365 * 24 * 3_600_000).padStart(15, "0")}${oldest.slice(15)}`;
    await rename(join(spoolDir, oldest), join(spoolDir, aged));
    const second = new LineageEmitter({
      transport: httpTransport({ url: `http://127.0.0.1:${backend.port}` }),
      spoolDir,
      warn: (m) => warnings.push(m),
    });
    await second.start();
    expect(await second.flush(10_000)).toBe(true);
    second.close();
    expect(backend.received).toEqual([events[1]]);
    expect(warnings).toEqual([
      `FLOE-DQ110 dropped 1 lineage event(s) older than 168 h from ${spoolDir}`,
    ]);
  });

  it("never resends an event recorded as delivered before a crash removed it", async () => {
    await backend.start();
    const spoolDir = join(dir, "spool");
    const { events, oldest } = await spooledWhileDown(spoolDir);
    // The state a crash between the delivery record (rename) and the removal leaves.
    await rename(join(spoolDir, oldest), join(spoolDir, `${oldest}.delivered`));
    const second = new LineageEmitter({
      transport: httpTransport({ url: `http://127.0.0.1:${backend.port}` }),
      spoolDir,
    });
    await second.start();
    expect(await second.flush(10_000)).toBe(true);
    second.close();
    expect(backend.received).toEqual([events[1]]);
    expect(await readdir(spoolDir)).toEqual([]);
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
