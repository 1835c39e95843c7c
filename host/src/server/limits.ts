// Bounds on what one QualityHostService request may carry. Requests are decoded
// by our own deserializers: one too large, undecodable (garbage bytes) or nested
// too deeply becomes a FLOE-DQ109 answer instead of grpc-js's bare INTERNAL.
import { contract, FloeError, statusFromFloeError } from "@floe/quality-sdk";
import { status, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { formatBytes, nestingDepth } from "../config/limits.js";

export interface RequestLimits {
  /** Bytes of one request message. */
  maxRequestBytes: number;
  /** Nesting of google.protobuf.Struct / Value / ListValue inside a request. */
  maxNesting: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = {
  maxRequestBytes: 4 * 1024 * 1024,
  maxNesting: 32,
};

/**
 * The transport's own cap: past it grpc-js refuses a message from its length
 * prefix alone, before buffering it (RESOURCE_EXHAUSTED, without a FLOE code).
 * Between the limit and this cap our deserializer answers with FLOE-DQ109.
 */
export function transportCap(limits: RequestLimits): number {
  return limits.maxRequestBytes * 2;
}

/** A request the host will not serve: FLOE-DQ109 with the gRPC status it travels under. */
export class HostRefusal extends FloeError {
  readonly grpcCode: status;
  constructor(
    grpcCode: status,
    message: string,
    where: { file?: string; path?: string; fix?: string } = {},
  ) {
    super("FLOE-DQ109", message, where);
    this.name = "HostRefusal";
    this.grpcCode = grpcCode;
  }
}

/** What a refused request decodes to; the handler answers with it. */
export class RefusedRequest {
  constructor(readonly error: HostRefusal) {}
}

/** Checks size and decodability of encoded request bytes; the decoded message, or a RefusedRequest. */
export function guardedDecode<T>(
  bytes: Buffer,
  decode: (bytes: Buffer) => T,
  limits: RequestLimits,
  method: string,
): T | RefusedRequest {
  if (bytes.byteLength > limits.maxRequestBytes) {
    return new RefusedRequest(
      new HostRefusal(
        status.RESOURCE_EXHAUSTED,
        `the ${method} request is ${formatBytes(bytes.byteLength)}, over the limit of ${formatBytes(limits.maxRequestBytes)}`,
        {
          fix: "Send a smaller request (reference artifacts the host loaded by model name), or ask the operator to raise serve --max-request-bytes.",
        },
      ),
    );
  }
  let message: T;
  const nestedTooDeep = () =>
    new RefusedRequest(
      new HostRefusal(
        status.INVALID_ARGUMENT,
        `the ${method} request nests values more than ${limits.maxNesting} deep`,
        { fix: "Flatten the nested parameters or details of the request." },
      ),
    );
  try {
    message = decode(bytes);
  } catch (error) {
    // The protobuf reader stops at 100 levels of nested messages.
    if (/recursion/i.test((error as Error).message)) return nestedTooDeep();
    return new RefusedRequest(
      new HostRefusal(
        status.INVALID_ARGUMENT,
        `the ${method} request is not a valid protobuf message`,
        {
          fix: `Send a ${method} request encoded from proto/floe/quality/v1/host.proto.`,
        },
      ),
    );
  }
  // Each Struct level is three message levels (Struct → Value → Struct fields).
  const cap = limits.maxNesting * 3 + 8;
  if (nestingDepth(message, cap) > cap) return nestedTooDeep();
  return message;
}

/** The gRPC status of a refusal. */
export function refusalStatus(refusal: HostRefusal): ReturnType<typeof statusFromFloeError> {
  return statusFromFloeError(refusal, refusal.grpcCode);
}

/**
 * QualityHostService with every request decoded by `guardedDecode`, and each
 * handler answering a RefusedRequest itself. CalculateQualityScore keeps its
 * request encoded (the scoring pool decodes it) but is size-checked here.
 */
export function guardedHostService(
  handlers: UntypedServiceImplementation,
  limits: RequestLimits,
): {
  definition: typeof contract.QualityHostServiceService;
  handlers: UntypedServiceImplementation;
} {
  const definition = contract.QualityHostServiceService;
  const guarded: Record<string, unknown> = {};
  const wrappedHandlers: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const rpc = method.path.slice(method.path.lastIndexOf("/") + 1);
    const keepEncoded = name === "calculateQualityScore";
    guarded[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) =>
        guardedDecode(
          bytes,
          keepEncoded ? (b) => b : (b) => method.requestDeserialize(b),
          keepEncoded ? { ...limits, maxNesting: Number.MAX_SAFE_INTEGER } : limits,
          rpc,
        ),
    };
    const handler = handlers[name] as (...args: unknown[]) => void;
    wrappedHandlers[name] = ((
      call: { request: unknown; emit: (e: string, s: unknown) => void },
      callback?: (e: unknown) => void,
    ) => {
      if (call.request instanceof RefusedRequest) {
        const answer = refusalStatus(call.request.error);
        if (callback) callback(answer);
        else call.emit("error", answer);
        return;
      }
      handler(call, callback);
    }) as UntypedServiceImplementation[string];
  }
  return {
    definition: guarded as unknown as typeof contract.QualityHostServiceService,
    handlers: wrappedHandlers,
  };
}
