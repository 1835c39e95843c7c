// The QualityHostService handlers: Compile (on a worker), ValidateQualityGates,
// RunQualityChecks (progress per check, then the outcome; artifacts chosen under
// the trust policy of artifacts.ts), CalculateQualityScore (on the scoring pool,
// decoded there), ListPlugins. Errors are gRPC statuses whose details carry the
// FLOE-DQ code (google.rpc.ErrorInfo), with the run's secrets scrubbed.
import {
  type contract,
  FloeError,
  parseDbtTestResults,
  scrubbedDeep,
  scrubbedError,
  scrubSecrets,
  statusFromFloeError,
} from "@floe/quality-sdk";
import {
  Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { ContractViolation, gateResultToProto, scoreToProto } from "../config/results.js";
import { PluginCallError } from "../plugins/client.js";
import { secretsOf } from "../runtime/connection.js";
import type { PluginPool } from "../runtime/plugin-pool.js";
import { type RunDeps, runModelQuality } from "../runtime/run.js";
import { checkProgressToProto, diagnosticToProto, runOutcomeToProto } from "../runtime/wire.js";
import type { ScoringPool } from "../scoring/pool.js";
import { withSpan } from "../telemetry/index.js";
import {
  type CallerArtifactsPolicy,
  type HostArtifacts,
  resolveRequestArtifacts,
} from "./artifacts.js";
import { HostRefusal } from "./limits.js";
import type { OffloadPool } from "./offload.js";

export interface HostServiceDeps extends RunDeps {
  plugins: PluginPool;
  scoring: ScoringPool;
  /** Providers Compile accepts besides the discovered ones. */
  knownProviders: () => string[];
  /** The artifacts `serve --artifacts` loaded: what requests name by model. */
  hostArtifacts: HostArtifacts;
  /** Whether and how callers may send artifacts of their own. */
  callerArtifacts: CallerArtifactsPolicy;
  /** Compile and caller artifact parsing run here, off the event loop. */
  offload: OffloadPool;
  /** Internal failures are logged here (never sent to the caller). */
  log: (message: string) => void;
}

type StatusObject = { code: status; details: string; metadata: Metadata };

/**
 * A thrown value as a status: FLOE-DQ codes travel in ErrorInfo, their text
 * scrubbed of `secrets`; anything else is INTERNAL, logged.
 */
function statusOf(
  error: unknown,
  log: (message: string) => void,
  method: string,
  secrets: readonly string[] = [],
): StatusObject {
  if (error instanceof PluginCallError || error instanceof HostRefusal) {
    return statusFromFloeError(scrubbedError(error, secrets), error.grpcCode);
  }
  if (error instanceof FloeError) return statusFromFloeError(scrubbedError(error, secrets));
  if (error instanceof ContractViolation) {
    return statusFromFloeError(new FloeError("FLOE-DQ100", error.message));
  }
  log(
    scrubSecrets(
      `${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      secrets,
    ),
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
        const result = await deps.offload.compile({
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
      // Gates are read, never run: caller JSON is fine here (parsed off the event loop).
      const artifacts =
        request.compiledArtifactsJson === "" && request.modelName !== ""
          ? deps.hostArtifacts.byModel(request.modelName)
          : await deps.offload.parseArtifacts(
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
      let secrets: string[] = [];
      const run = async () => {
        const resolved = await resolveRequestArtifacts(
          request,
          deps.hostArtifacts,
          deps.callerArtifacts,
          deps.env ?? process.env,
          deps.cwd ?? process.cwd(),
          (text, file) => deps.offload.parseArtifacts(text, file),
        );
        secrets = secretsOf(resolved.artifacts.product.compute, resolved.env);
        const dbt = request.dbtResults;
        return runModelQuality(
          {
            artifacts: resolved.artifacts,
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
              call.write({
                event: { $case: "progress", value: scrubbedDeep(checkProgressToProto(p), secrets) },
              });
            },
          },
          { ...deps, env: resolved.env, cwd: resolved.cwd },
        );
      };
      run().then(
        (outcome) => {
          if (call.cancelled) return;
          call.write({
            event: { $case: "outcome", value: scrubbedDeep(runOutcomeToProto(outcome), secrets) },
          });
          call.end();
        },
        (error: unknown) => {
          if (!call.cancelled) {
            call.emit("error", statusOf(error, deps.log, "RunQualityChecks", secrets));
          }
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
