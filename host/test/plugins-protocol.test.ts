import {
  createLogger,
  errorInfoFromServiceError,
  FloeError,
  floeErrorFromServiceError,
  statusFromFloeError,
} from "@floe/quality-sdk";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { parseHandshakeLine } from "../src/plugins/index.js";

function parseError(line: string): string {
  try {
    parseHandshakeLine(line, "p");
  } catch (error) {
    return `${(error as FloeError).code} ${(error as FloeError).message}`;
  }
  throw new Error("parsed");
}

describe("the handshake line", () => {
  it("parses CORE|APP|NETWORK|ADDRESS|grpc", () => {
    expect(parseHandshakeLine("1|1|unix|/tmp/floe-plugin-ab12/plugin.sock|grpc\n", "p")).toEqual({
      core: 1,
      app: 1,
      network: "unix",
      address: "/tmp/floe-plugin-ab12/plugin.sock",
      protocol: "grpc",
    });
    expect(parseHandshakeLine("1|1|tcp|127.0.0.1:7070|grpc", "p").address).toBe("127.0.0.1:7070");
  });

  it("rejects each malformed field with a message naming it", () => {
    expect(parseError("")).toBe(
      `FLOE-DQ001 plugin p printed an invalid handshake line "": expected 5 fields separated by '|', found 1`,
    );
    expect(parseError("2|1|unix|/s|grpc")).toBe(
      `FLOE-DQ001 plugin p printed an invalid handshake line "2|1|unix|/s|grpc": core handshake version '2' is not 1`,
    );
    expect(parseError("1|7|unix|/s|grpc")).toMatch(
      /protocol version '7' is not one the host offered \(1\)$/,
    );
    expect(parseError("1|1|udp|/s|grpc")).toMatch(/network 'udp' is neither unix nor tcp$/);
    expect(parseError("1|1|unix|relative.sock|grpc")).toMatch(
      /unix socket path 'relative.sock' is not absolute$/,
    );
    expect(parseError("1|1|tcp|localhost|grpc")).toMatch(
      /tcp address 'localhost' is not host:port$/,
    );
    expect(parseError("1|1|unix|/s|http")).toMatch(/protocol 'http' is not grpc$/);
  });
});

describe("FLOE-DQ errors on the wire", () => {
  function asServiceError(error: FloeError): ServiceError {
    const s = statusFromFloeError(error);
    return Object.assign(new Error(s.details), {
      code: s.code,
      details: s.details,
      metadata: s.metadata,
    });
  }

  it("encodes google.rpc.Status with one google.rpc.ErrorInfo in grpc-status-details-bin", () => {
    const s = statusFromFloeError(new FloeError("FLOE-DQ106", "x", { fix: "f" }));
    expect(s.code).toBe(status.DEADLINE_EXCEEDED);
    const bytes = s.metadata.get("grpc-status-details-bin")[0] as Buffer;
    const typeUrl = Buffer.from("type.googleapis.com/google.rpc.ErrorInfo");
    const errorInfo = Buffer.concat([
      Buffer.from([0x0a, 10]),
      Buffer.from("FLOE-DQ106"),
      Buffer.from([0x12, 8]),
      Buffer.from("floe.dev"),
      Buffer.from([0x1a, 8, 0x0a, 3]),
      Buffer.from("fix"),
      Buffer.from([0x12, 1]),
      Buffer.from("f"),
    ]);
    const any = Buffer.concat([
      Buffer.from([0x0a, typeUrl.length]),
      typeUrl,
      Buffer.from([0x12, errorInfo.length]),
      errorInfo,
    ]);
    // Status: code = 4 (field 1, varint), message = "x" (field 2), details = [Any] (field 3).
    const expected = Buffer.concat([
      Buffer.from([0x08, 4, 0x12, 1]),
      Buffer.from("x"),
      Buffer.from([0x1a, any.length]),
      any,
    ]);
    expect(bytes.toString("hex")).toBe(expected.toString("hex"));
  });

  it("decodes the ErrorInfo and rebuilds the FloeError with its place and fix", () => {
    const original = new FloeError("FLOE-DQ105", "column 'x' does not exist", {
      file: "floe.yaml",
      path: "orders/x",
    });
    const wire = asServiceError(original);
    expect(errorInfoFromServiceError(wire)).toEqual({
      reason: "FLOE-DQ105",
      domain: "floe.dev",
      metadata: { file: "floe.yaml", path: "orders/x", fix: original.fix },
    });
    const rebuilt = floeErrorFromServiceError(wire)!;
    expect([rebuilt.code, rebuilt.message, rebuilt.file, rebuilt.path, rebuilt.fix]).toEqual([
      "FLOE-DQ105",
      "column 'x' does not exist",
      "floe.yaml",
      "orders/x",
      "Verify the column exists in the model (floe.yaml columns, dbt manifest or warehouse).",
    ]);
  });

  it("finds no ErrorInfo in a status without details", () => {
    const plain = Object.assign(new Error("boom"), {
      code: status.INTERNAL,
      details: "boom",
      metadata: new Metadata(),
    });
    expect(errorInfoFromServiceError(plain)).toBeUndefined();
    expect(floeErrorFromServiceError(plain)).toBeUndefined();
  });
});

describe("the plugin logger", () => {
  it("writes JSON lines with level, msg and time first, fields after, and drops lines below its level", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (line) => lines.push(line) }).child({
      run_id: "r-1",
    });
    log.debug("not written");
    log.warn("slow check", { check: "id_not_null", level: "ignored", elapsed_ms: 1200n });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(["level", "msg", "time", "run_id", "check", "elapsed_ms"]);
    expect(record).toEqual({
      level: "warn",
      msg: "slow check",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      run_id: "r-1",
      check: "id_not_null",
      elapsed_ms: "1200",
    });
  });
});
