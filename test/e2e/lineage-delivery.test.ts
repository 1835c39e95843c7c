// Lineage delivery that cannot be poisoned, against real `serve` processes: a
// backend that refuses one event (HTTP 400) gets every other event, the refused
// one lands in the dead-letter file with the answer, and a host SIGKILLed while
// a POST is in flight neither re-posts what was acknowledged nor stores an
// event twice (the re-sent one carries the same Idempotency-Key).
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { compileShop, orchestrate, type ReceivedEvent, startServe, waitFor } from "./support.js";

vi.setConfig({ testTimeout: 120_000 });

interface Post {
  key: string;
  label: string;
}

/**
 * A lineage backend that stores an event as it receives it, keyed by its
 * Idempotency-Key (a repeated key is answered 200 and not stored again), refuses
 * the START of order_events, and holds the first START of orders unanswered.
 */
function startBackend() {
  const stored: ReceivedEvent[] = [];
  const posts: Post[] = [];
  const keys = new Set<string>();
  let held: ServerResponse | undefined;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const key = String(request.headers["idempotency-key"]);
      const label = `${event.eventType}:${event.job.name}`;
      posts.push({ key, label });
      if (label === "START:order_events.quality") {
        response.writeHead(400, { "content-type": "application/json" });
        response.end('{"error":"schema: facet rejected"}');
        return;
      }
      if (!keys.has(key)) {
        keys.add(key);
        stored.push(event);
      }
      if (label === "START:orders.quality" && held === undefined) {
        held = response;
        return;
      }
      response.writeHead(200).end();
    });
  });
  return {
    stored,
    posts,
    held: () => held,
    listen: () =>
      new Promise<string>((done) =>
        server.listen(0, "127.0.0.1", () =>
          done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

let dir: string;
let artifacts: string;
const backend = startBackend();
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-delivery-"));
  await createDemoWarehouse(join(dir, "warehouse.duckdb"));
  artifacts = await compileShop(dir, "dialect: duckdb\npath: warehouse.duckdb");
  url = await backend.listen();
});

afterAll(async () => {
  await backend.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("delivers every event but the refused one, dead-letters it, and stores none twice across a SIGKILL", async () => {
  const env = { OPENLINEAGE_URL: url, FLOE_STATE_DIR: join(dir, "state") };
  const args = ["--listen", "127.0.0.1:0", "--artifacts", artifacts];
  const first = await startServe(args, { cwd: dir, env });
  const results = await orchestrate(
    first.address,
    ["customers", "orders", "order_events"].map((model) => ({ method: "run", model })),
  );
  expect(results.map((r) => r.outcome.verdict)).toEqual([
    "VERDICT_FAIL",
    "VERDICT_WARN",
    "VERDICT_PASS",
  ]);
  // customers' two events are acknowledged; orders' START is held in flight.
  await waitFor("the held POST", () => backend.held() !== undefined);
  expect(backend.posts.map((p) => p.label)).toEqual([
    "START:customers.quality",
    "FAIL:customers.quality",
    "START:orders.quality",
  ]);
  first.child.kill("SIGKILL");
  expect(await first.stop()).toBeNull();
  const spooled = (await readdir(join(dir, "state", "lineage-spool"))).filter((n) =>
    n.endsWith(".event.json"),
  );
  expect(spooled).toHaveLength(4);

  const second = await startServe(args, { cwd: dir, env });
  try {
    await waitFor("the spool drained", async () =>
      (await readdir(join(dir, "state", "lineage-spool"))).length === 0 ? true : undefined,
    );
  } finally {
    expect(await second.stop()).toBe(0);
  }

  // Acknowledged events are never posted again; the one in flight is re-sent once,
  // with its key, and stored once.
  expect(backend.posts.map((p) => p.label)).toEqual([
    "START:customers.quality",
    "FAIL:customers.quality",
    "START:orders.quality",
    "START:orders.quality",
    "COMPLETE:orders.quality",
    "START:order_events.quality",
    "COMPLETE:order_events.quality",
  ]);
  expect(backend.posts[2]!.key).toBe(backend.posts[3]!.key);
  expect(new Set(backend.posts.map((p) => p.key)).size).toBe(6);
  const runIds = results.map((r) => r.outcome.run_id);
  expect(backend.stored.map((e) => [e.run.runId, e.eventType])).toEqual([
    [runIds[0], "START"],
    [runIds[0], "FAIL"],
    [runIds[1], "START"],
    [runIds[1], "COMPLETE"],
    [runIds[2], "COMPLETE"],
  ]);

  const deadLetters = (await readFile(join(dir, "state", "lineage-dead-letter.jsonl"), "utf8"))
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(deadLetters).toHaveLength(1);
  expect(deadLetters[0]).toMatchObject({
    http_status: 400,
    answer: '{"error":"schema: facet rejected"}',
    event: { eventType: "START", run: { runId: runIds[2] }, job: { name: "order_events.quality" } },
  });
  expect(second.stderr()).toContain(
    `warning: lineage: FLOE-DQ110 lineage event START of run ${runIds[2]} refused: ${url}/api/v1/lineage rejected the event with HTTP 400; moved to ${join(dir, "state", "lineage-dead-letter.jsonl")}`,
  );
});
