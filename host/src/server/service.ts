// The QualityHostService handlers: Compile, ValidateQualityGates, RunQualityChecks
// (progress per check, then the outcome), CalculateQualityScore (on the scoring
// pool, decoded there), ListPlugins. Errors are gRPC statuses whose details carry
// the FLOE-DQ code (google.rpc.ErrorInfo).
import { readFile } from "node:fs/promises";
import { contract, FloeError, parseDbtTestResults, statusFromFloeError } from "@floe/quality-sdk";
import {
  Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { CompiledArtifacts } from "../compile/artifacts.js";
import { compileProject } from "../compile/compile.js";
import { ContractViolation, gateResultToProto, scoreToProto } from "../config/results.js";
import { PluginCallError } from "../plugins/client.js";
import { parseArtifactsJson } from "../runtime/artifacts.js";
import type { PluginPool } from "../runtime/plugin-pool.js";
import { type RunDeps, runModelQuality } from "../runtime/run.js";
import { checkProgressToProto, diagnosticToProto, runOutcomeToProto } from "../runtime/wire.js";
import type { ScoringPool } from "../scoring/pool.js";
import { withSpan } from "../telemetry/index.js";

export interface HostServiceDeps extends RunDeps {
  plugins: PluginPool;
  scoring: ScoringPool;
  /** Providers Compile accepts besides the discovered ones. */
  knownProviders: () => string[];
  /** Artifacts of requests that carry neither a path nor JSON (`serve --artifacts`). */
  defaultArtifactsPath?: string | undefined;
  /** Internal failures are logged here (never sent to the caller). */
  log: (message: string) => void;
}

type StatusObject = { code: status; details: string; metadata: Metadata };

/** A thrown value as a status: FLOE-DQ codes travel in ErrorInfo; anything else is INTERNAL, logged. */
function statusOf(error: unknown, log: (message: string) => void, method: string): StatusObject {
  if (error instanceof PluginCallError) return statusFromFloeError(error, error.grpcCode);
  if (error instanceof FloeError) return statusFromFloeError(error);
  if (error instanceof ContractViolation) {
    return statusFromFloeError(new FloeError("FLOE-DQ100", error.message));
  }
  log(
    `${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return {
    code: status.INTERNAL,
    details: `the host failed while handling ${method}; see the host log`,
    metadata: new Metadata(),
  };
}

function unary<Req, Res>(
  method: string,
  deps: HostServiceDeps,
  handle: (request: Req) => Promise<Res>,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    handle(call.request).then(
      (response) => callback(null, response),
      (error: unknown) => callback(statusOf(error, deps.log, method)),
    );
  };
}

async function artifactsOf(
  request: { artifactsPath?: string; artifactsJson?: string },
  defaultPath: string | undefined,
): Promise<CompiledArtifacts> {
  if (request.artifactsJson) return parseArtifactsJson(request.artifactsJson, "artifacts_json");
  const path = request.artifactsPath || defaultPath;
  if (path) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new FloeError(
        "FLOE-DQ100",
        `cannot read the compiled artifacts (${(error as NodeJS.ErrnoException).code ?? error})`,
        { file: path, fix: "Give a path the host can read, or send artifacts_json." },
      );
    }
    return parseArtifactsJson(text, path);
  }
  throw new FloeError(
    "FLOE-DQ100",
    "the request carries neither artifacts_path nor artifacts_json",
    {
      path: "artifacts_path",
      fix: "Send the compiled artifacts (artifacts_json) or a path the host can read (artifacts_path).",
    },
  );
}

/** The handlers, keyed as in `contract.QualityHostServiceService`. */
export function qualityHostHandlers(deps: HostServiceDeps): UntypedServiceImplementation {
  return {
    compile: unary<contract.CompileRequest, contract.CompileResponse>("Compile", deps, (request) =>
      withSpan("floe.compile", {}, async (span) => {
        const source = (s: contract.SourceFile | undefined, name: string) =>
          s === undefined ? undefined : { file: s.path || name, text: s.content };
        const product = source(request.productConfig, "floe.yaml");
        const enterprise = source(request.enterpriseManifest, "manifest.yaml");
        if (product === undefined || enterprise === undefined) {
          throw new FloeError(
            "FLOE-DQ100",
            "Compile needs enterprise_manifest and product_config",
            {
              path: product === undefined ? "product_config" : "enterprise_manifest",
            },
          );
        }
        const result = compileProject({
          enterprise,
          domain: source(request.domainManifest, "domain manifest.yaml"),
          product,
          dbtManifest: source(request.dbtManifest, "manifest.json"),
          knownProviders: deps.knownProviders(),
        });
        span.setAttribute("floe.compile.success", result.ok);
        return {
          success: result.ok,
          compiledArtifactsJson: result.ok ? JSON.stringify(result.artifacts) : "",
          diagnostics: result.diagnostics.map(diagnosticToProto),
        };
      }),
    ),

    validateQualityGates: unary<
      contract.ValidateQualityGatesRequest,
      contract.ValidateQualityGatesResponse
    >("ValidateQualityGates", deps, async (request) => {
      const artifacts = parseArtifactsJson(
        request.compiledArtifactsJson,
        "compiled_artifacts_json",
      );
      let gates = artifacts.gates;
      if (request.modelName) {
        gates = gates.filter((g) => g.model_name === request.modelName);
        if (gates.length === 0) {
          throw new FloeError(
            "FLOE-DQ100",
            `model '${request.modelName}' is not in the compiled artifacts (models: ${artifacts.models.map((m) => m.name).join(", ")})`,
            { path: "model_name" },
          );
        }
      }
      return { passed: gates.every((g) => g.passed), results: gates.map(gateResultToProto) };
    }),

    runQualityChecks: (
      call: ServerWritableStream<
        contract.RunQualityChecksRequest,
        contract.RunQualityChecksResponse
      >,
    ) => {
      const request = call.request;
      const cancelled = new AbortController();
      call.on("cancelled", () => cancelled.abort());
      const run = async () => {
        const artifacts = await artifactsOf(request, deps.defaultArtifactsPath);
        const dbt = request.dbtResults;
        return runModelQuality(
          {
            artifacts,
            model: request.modelName,
            dbtTests:
              dbt && (dbt.runResultsJson || dbt.manifestJson)
                ? parseDbtTestResults(dbt.runResultsJson, dbt.manifestJson)
                : undefined,
            timeoutSeconds: request.timeoutSeconds > 0 ? request.timeoutSeconds : undefined,
            parent: request.parentRunId
              ? {
                  runId: request.parentRunId,
                  namespace: request.parentJobNamespace,
                  name: request.parentJobName,
                }
              : undefined,
            signal: cancelled.signal,
            onProgress: (p) => {
              if (call.cancelled) return;
              call.write({ event: { $case: "progress", value: checkProgressToProto(p) } });
            },
          },
          deps,
        );
      };
      run().then(
        (outcome) => {
          if (call.cancelled) return;
          call.write({ event: { $case: "outcome", value: runOutcomeToProto(outcome) } });
          call.end();
        },
        (error: unknown) => {
          if (!call.cancelled) call.emit("error", statusOf(error, deps.log, "RunQualityChecks"));
        },
      );
    },

    calculateQualityScore: (
      call: ServerUnaryCall<Uint8Array, contract.CalculateQualityScoreResponse>,
      callback: sendUnaryData<contract.CalculateQualityScoreResponse>,
    ) => {
      deps.scoring.scoreRequest(call.request).then(
        (score) => callback(null, { score: scoreToProto(score) }),
        (error: unknown) => callback(statusOf(error, deps.log, "CalculateQualityScore")),
      );
    },

    listPlugins: unary<contract.ListPluginsRequest, contract.ListPluginsResponse>(
      "ListPlugins",
      deps,
      async () => ({
        plugins: (await deps.plugins.list()).map((p) => ({
          name: p.name,
          provider: p.provider,
          descriptorPath: p.descriptorPath,
          runtime: p.runtime,
          version: p.version,
          dialects: p.dialects,
          state: p.state,
        })),
      }),
    ),
  };
}

/**
 * The service definition with CalculateQualityScore's request left encoded: the
 * scoring pool decodes it where it scores it (on a worker for large batches).
 */
export function qualityHostDefinition() {
  const definition = contract.QualityHostServiceService;
  return {
    ...definition,
    calculateQualityScore: {
      ...definition.calculateQualityScore,
      requestDeserialize: (bytes: Buffer): Uint8Array => bytes,
    },
  };
}
