// gRPC server reflection (grpc.reflection.v1 and v1alpha) answered from the
// descriptor set buf compiled from proto/ (scripts/descriptor-set.sh): each
// file exactly as protoc writes it, with its dependency list and map entries,
// so grpcurl, buf curl and Postman resolve every type. Only the services
// actually served are listed.
import {
  create,
  createFileRegistry,
  type DescFile,
  fromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { Server, ServerDuplexStream } from "@grpc/grpc-js";
import { DESCRIPTOR_SET_BASE64 } from "./gen/descriptor-set.js";

const registry = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, Buffer.from(DESCRIPTOR_SET_BASE64, "base64")),
);

const REFLECTION_VERSIONS = ["grpc.reflection.v1", "grpc.reflection.v1alpha"] as const;
const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;

/** A file followed by everything it imports, transitively, each once. */
function withDependencies(file: DescFile): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  const visit = (f: DescFile) => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    out.push(toBinary(FileDescriptorProtoSchema, f.proto));
    for (const dependency of f.dependencies) visit(dependency);
  };
  visit(file);
  return out;
}

/** The file defining `symbol`: a service, method, message, field, enum or enum value. */
function fileOfSymbol(symbol: string): DescFile | undefined {
  const direct = registry.get(symbol);
  if (direct !== undefined) return direct.file;
  const parent = symbol.slice(0, Math.max(0, symbol.lastIndexOf(".")));
  const owner = parent === "" ? undefined : registry.get(parent);
  return owner?.file;
}

type Answer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "listServicesResponse"; value: { service: Array<{ name: string }> } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: [] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

function answer(request: { case?: string; value?: unknown }, services: readonly string[]): Answer {
  const missing = (what: string): Answer => ({
    case: "errorResponse",
    value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` },
  });
  switch (request.case) {
    case "listServices":
      return {
        case: "listServicesResponse",
        value: { service: services.map((name) => ({ name })) },
      };
    case "fileByFilename": {
      const file = registry.getFile(String(request.value));
      return file === undefined
        ? missing(`file ${String(request.value)}`)
        : {
            case: "fileDescriptorResponse",
            value: { fileDescriptorProto: withDependencies(file) },
          };
    }
    case "fileContainingSymbol": {
      const file = fileOfSymbol(String(request.value));
      return file === undefined
        ? missing(`symbol ${String(request.value)}`)
        : {
            case: "fileDescriptorResponse",
            value: { fileDescriptorProto: withDependencies(file) },
          };
    }
    case "fileContainingExtension":
      return missing("extension");
    case "allExtensionNumbersOfType": {
      const type = String(request.value);
      return registry.getMessage(type) === undefined
        ? missing(`type ${type}`)
        : {
            case: "allExtensionNumbersResponse",
            value: { baseTypeName: type, extensionNumber: [] },
          };
    }
    default:
      return {
        case: "errorResponse",
        value: { errorCode: UNIMPLEMENTED, errorMessage: "unknown reflection request" },
      };
  }
}

/**
 * Adds both reflection services to `server`, listing `services` (the reflection
 * services themselves are added to the list).
 */
export function addReflection(server: Server, services: readonly string[]): void {
  const listed = [...services, ...REFLECTION_VERSIONS.map((v) => `${v}.ServerReflection`)];
  for (const version of REFLECTION_VERSIONS) {
    const requestType = registry.getMessage(`${version}.ServerReflectionRequest`);
    const responseType = registry.getMessage(`${version}.ServerReflectionResponse`);
    if (requestType === undefined || responseType === undefined) {
      throw new Error(`the descriptor set lacks ${version}: run npm run generate`);
    }
    const bytes = (b: Buffer) => b;
    server.addService(
      {
        serverReflectionInfo: {
          path: `/${version}.ServerReflection/ServerReflectionInfo`,
          requestStream: true,
          responseStream: true,
          requestSerialize: bytes,
          requestDeserialize: bytes,
          responseSerialize: bytes,
          responseDeserialize: bytes,
        },
      },
      {
        serverReflectionInfo: (call: ServerDuplexStream<Buffer, Buffer>) => {
          call.on("data", (data: Buffer) => {
            let request: ReturnType<typeof fromBinary>;
            try {
              request = fromBinary(requestType, data);
            } catch {
              call.end();
              return;
            }
            const original = request as unknown as {
              host: string;
              messageRequest: { case?: string; value?: unknown };
            };
            const response = {
              validHost: original.host,
              originalRequest: request,
              messageResponse: answer(original.messageRequest, listed),
            };
            call.write(
              Buffer.from(toBinary(responseType, create(responseType, response as never))),
            );
          });
          call.on("end", () => call.end());
          call.on("error", () => undefined);
        },
      },
    );
  }
}
