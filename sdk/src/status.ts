// FLOE-DQ errors on the wire: a gRPC status whose `grpc-status-details-bin`
// trailer holds a google.rpc.Status with one google.rpc.ErrorInfo
// (reason = the FLOE-DQ code, domain = floe.dev). Both directions live here so
// plugin and host agree byte for byte.
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import {
  ERROR_CATALOGUE,
  ERROR_DOMAIN,
  FloeError,
  type FloeErrorCode,
  isFloeErrorCode,
} from "./errors.js";
import { ErrorInfo } from "./gen/google/rpc/error_details.js";
import { Status } from "./gen/google/rpc/status.js";

export const STATUS_DETAILS_KEY = "grpc-status-details-bin";
export const ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo";

const GRPC_CODE: Record<FloeErrorCode, status> = {
  "FLOE-DQ001": status.FAILED_PRECONDITION,
  "FLOE-DQ100": status.INVALID_ARGUMENT,
  "FLOE-DQ101": status.INVALID_ARGUMENT,
  "FLOE-DQ102": status.FAILED_PRECONDITION,
  "FLOE-DQ103": status.FAILED_PRECONDITION,
  "FLOE-DQ104": status.FAILED_PRECONDITION,
  "FLOE-DQ105": status.INVALID_ARGUMENT,
  "FLOE-DQ106": status.DEADLINE_EXCEEDED,
  "FLOE-DQ107": status.INVALID_ARGUMENT,
  "FLOE-DQ108": status.UNAVAILABLE,
  "FLOE-DQ109": status.INVALID_ARGUMENT,
  "FLOE-DQ110": status.UNAVAILABLE,
  "FLOE-DQ111": status.FAILED_PRECONDITION,
  "FLOE-DQ112": status.UNAVAILABLE,
};

/** What a gRPC handler hands to grpc-js to end a call with an error. */
export interface StatusObject {
  code: status;
  details: string;
  metadata: Metadata;
}

/** The gRPC status code a FLOE-DQ code travels under. */
export function grpcCodeFor(code: FloeErrorCode): status {
  return GRPC_CODE[code];
}

/** Encodes the google.rpc.Status bytes of the `grpc-status-details-bin` trailer. */
export function encodeStatusDetails(
  grpcCode: status,
  message: string,
  reason: FloeErrorCode,
  metadata: Record<string, string> = {},
): Buffer {
  const info = ErrorInfo.encode({ reason, domain: ERROR_DOMAIN, metadata }).finish();
  const bytes = Status.encode({
    code: grpcCode,
    message,
    details: [{ typeUrl: ERROR_INFO_TYPE_URL, value: Buffer.from(info) }],
  }).finish();
  return Buffer.from(bytes);
}

/**
 * A FloeError as a gRPC status object; `grpcCode` overrides the usual code
 * (the host uses UNAVAILABLE + FLOE-DQ001 for a dead plugin).
 */
export function statusFromFloeError(error: FloeError, grpcCode?: status): StatusObject {
  const code = grpcCode ?? grpcCodeFor(error.code);
  const info: Record<string, string> = { fix: error.fix };
  if (error.file !== undefined) info.file = error.file;
  if (error.path !== undefined) info.path = error.path;
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(code, error.message, error.code, info));
  return { code, details: error.message, metadata };
}

/**
 * Any thrown value as a gRPC status: a FloeError keeps its code; anything else
 * is INTERNAL with a message that reveals no internals (the detail goes to the log).
 */
export function statusFromThrown(thrown: unknown): StatusObject {
  if (thrown instanceof FloeError) return statusFromFloeError(thrown);
  return {
    code: status.INTERNAL,
    details: "the plugin failed while handling the call; see the plugin log",
    metadata: new Metadata(),
  };
}

export interface DecodedErrorInfo {
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/** The ErrorInfo carried by a gRPC error's details trailer, when there is one. */
export function errorInfoFromServiceError(
  error: Pick<ServiceError, "metadata">,
): DecodedErrorInfo | undefined {
  const values = error.metadata?.get(STATUS_DETAILS_KEY) ?? [];
  for (const value of values) {
    if (typeof value === "string") continue;
    let decoded: Status;
    try {
      decoded = Status.decode(value);
    } catch {
      continue;
    }
    for (const any of decoded.details) {
      if (any.typeUrl !== ERROR_INFO_TYPE_URL) continue;
      const info = ErrorInfo.decode(any.value);
      return { reason: info.reason, domain: info.domain, metadata: info.metadata };
    }
  }
  return undefined;
}

/** One `grpc-status-details-bin` value, decoded: a google.rpc.Status and its details. */
export interface DecodedStatusDetails {
  code: number;
  message: string;
  /** Each google.protobuf.Any of the details; `errorInfo` when it is a google.rpc.ErrorInfo. */
  details: { typeUrl: string; errorInfo: DecodedErrorInfo | undefined }[];
}

/**
 * Every `grpc-status-details-bin` value of a failed call, decoded; a value that
 * is not a google.rpc.Status is reported as a string saying so.
 */
export function statusDetailsOf(
  error: Pick<ServiceError, "metadata">,
): (DecodedStatusDetails | string)[] {
  return (error.metadata?.get(STATUS_DETAILS_KEY) ?? []).map((value) => {
    if (typeof value === "string") return `a text value, not bytes: ${value}`;
    try {
      const decoded = Status.decode(value);
      return {
        code: decoded.code,
        message: decoded.message,
        details: decoded.details.map((any) => {
          if (any.typeUrl !== ERROR_INFO_TYPE_URL)
            return { typeUrl: any.typeUrl, errorInfo: undefined };
          const info = ErrorInfo.decode(any.value);
          return {
            typeUrl: any.typeUrl,
            errorInfo: { reason: info.reason, domain: info.domain, metadata: info.metadata },
          };
        }),
      };
    } catch (thrown) {
      return `not a google.rpc.Status: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
    }
  });
}

/** Rebuilds the FloeError a plugin threw, or undefined when the status carries none. */
export function floeErrorFromServiceError(error: ServiceError): FloeError | undefined {
  const info = errorInfoFromServiceError(error);
  if (info === undefined || info.domain !== ERROR_DOMAIN || !isFloeErrorCode(info.reason))
    return undefined;
  return new FloeError(info.reason, error.details, {
    ...(info.metadata.file !== undefined ? { file: info.metadata.file } : {}),
    ...(info.metadata.path !== undefined ? { path: info.metadata.path } : {}),
    fix: info.metadata.fix ?? ERROR_CATALOGUE[info.reason].fix,
  });
}
