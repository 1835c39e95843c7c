import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import {
  currentTraceparent,
  initTelemetry,
  otlpTracesUrl,
  withSpan,
} from "../src/telemetry/index.js";

describe("telemetry", () => {
  it("is off unless an exporter or OTEL_* endpoint is given", async () => {
    const telemetry = initTelemetry({ env: {} });
    expect(telemetry.enabled).toBe(false);
    await withSpan("floe.run", {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(currentTraceparent()).toBeUndefined();
    });
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" })).toBe(
      "http://c:4318/v1/traces",
    );
    expect(
      otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" }),
    ).toBe(undefined);
  });

  it("loads the tracing SDK and exporter only when tracing is on", () => {
    // A fresh process: which modules does importing the host's telemetry and initialising it load?
    const script = `
      import { createRequire } from "node:module";
      const { initTelemetry } = await import(${JSON.stringify(new URL("../dist/telemetry/index.js", import.meta.url).href)});
      const on = initTelemetry({ env: process.env }).enabled;
      const cache = Object.keys(createRequire(import.meta.url).cache);
      const loaded = ["sdk-trace", "exporter-trace-otlp-http", "resources", "context-async-hooks"]
        .filter((name) => cache.some((path) => path.includes("@opentelemetry/" + name + "/")));
      console.log(JSON.stringify({ on, loaded }));
    `;
    const run = (env: Record<string, string>) =>
      JSON.parse(
        execFileSync(process.execPath, ["--input-type=module", "-e", script], {
          env: { PATH: process.env.PATH ?? "", ...env },
          encoding: "utf8",
        }),
      );
    expect(run({})).toEqual({ on: false, loaded: [] });
    expect(run({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9/" })).toEqual({
      on: true,
      loaded: ["sdk-trace", "exporter-trace-otlp-http", "resources", "context-async-hooks"],
    });
  });

  it("nests spans in one trace, hands out the traceparent and marks failures", async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = initTelemetry({ exporter });
    let parent = "";
    await withSpan("floe.run", { "floe.model": "customers" }, async (run) => {
      parent = currentTraceparent() ?? "";
      expect(parent).toBe(`00-${run.spanContext().traceId}-${run.spanContext().spanId}-01`);
      await withSpan("floe.plugin.RunChecks", { "floe.provider": "floe_sql" }, async () => {});
      await expect(
        withSpan("floe.score", {}, async () => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
    });
    // The in-memory exporter forgets its spans on shutdown: read them first.
    const spans = [...exporter.getFinishedSpans()];
    await telemetry.shutdown();
    expect(spans.map((s) => s.name)).toEqual(["floe.plugin.RunChecks", "floe.score", "floe.run"]);
    const [call, score, run] = spans;
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(call?.parentSpanContext?.spanId).toBe(run?.spanContext().spanId);
    expect(run?.attributes).toEqual({ "floe.model": "customers" });
    expect(score?.status).toEqual({ code: 2, message: "boom" });
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it("exports to an OTLP/HTTP receiver named by OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    const bodies: Array<{ path: string | undefined; type: string | undefined; body: string }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push({
          path: req.url,
          type: req.headers["content-type"],
          body: Buffer.concat(chunks).toString("utf8"),
        });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    const port = (receiver.address() as AddressInfo).port;
    try {
      const telemetry = initTelemetry({
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_SERVICE_NAME: "floe-test",
        },
      });
      expect(telemetry.enabled).toBe(true);
      await withSpan("floe.compile", { "floe.models": 3 }, async () => {});
      await telemetry.shutdown();
      expect(bodies).toHaveLength(1);
      expect(bodies[0]?.path).toBe("/v1/traces");
      expect(bodies[0]?.type).toBe("application/json");
      const payload = JSON.parse(bodies[0]?.body ?? "{}");
      const resource = payload.resourceSpans[0];
      expect(resource.resource.attributes).toContainEqual({
        key: "service.name",
        value: { stringValue: "floe-test" },
      });
      expect(resource.scopeSpans[0].spans.map((s: { name: string }) => s.name)).toEqual([
        "floe.compile",
      ]);
    } finally {
      receiver.close();
    }
  });
});
