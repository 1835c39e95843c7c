// floe_sql as a QualityPlugin: metadata, ValidateSuite (vocabulary, parameters
// and — with a connection — columns) and RunChecks (the fused runner).
import {
  assertDuckdbFileReadable,
  contract,
  ERROR_CATALOGUE,
  FLOE_API_VERSION,
  FloeError,
  type FloeErrorCode,
  type QualityPlugin,
  uncountedResult,
} from "@floe/quality-sdk";
import {
  type CheckProblem,
  columnsReadBy,
  DIALECTS,
  dialectNamed,
  displayRelation,
  parseRelation,
  type RelationName,
  type ResolvedCheck,
  resolveCheck,
  SUPPORTED_CHECK_TYPES,
  storedIdentifier,
} from "./compile/index.js";
import { type Engine, type EngineOptions, openEngine } from "./engines/index.js";
import { DEFAULT_MAX_FAILING_SAMPLES, runSuite } from "./run.js";

export const PLUGIN_NAME = "floe_sql";
export const PLUGIN_VERSION = "0.1.0";

export interface SqlPluginOptions {
  /** Passed to every engine the plugin opens (tests count statements with onQuery). */
  readonly engine?: EngineOptions;
}

export function createSqlPlugin(options: SqlPluginOptions = {}): QualityPlugin {
  return {
    getMetadata: () => ({
      name: PLUGIN_NAME,
      version: PLUGIN_VERSION,
      floeApiVersion: FLOE_API_VERSION,
      description:
        "Native SQL quality engine: every check on a table in one fused scan, on DuckDB files and PostgreSQL",
      dependencies: ["@duckdb/node-api", "pg"],
      capabilities: {
        dialects: [...DIALECTS],
        checkTypes: [...SUPPORTED_CHECK_TYPES],
        failFast: true,
        cancellation: true,
        nativeSuites: false,
        failingSamples: true,
      },
    }),

    async validateSuite(request) {
      const suite = request.suite;
      const model = suite?.modelName ?? "";
      const diagnostics: contract.Diagnostic[] = [];
      const resolved: ResolvedCheck[] = [];
      const seen = new Set<string>();
      (suite?.checks ?? []).forEach((check, index) => {
        if (seen.has(check.name)) {
          diagnostics.push(
            diagnostic(
              "FLOE-DQ101",
              `check name ${check.name} is used twice in ${model}`,
              `${model}/${check.name}`,
            ),
          );
        }
        seen.add(check.name);
        const resolution = resolveCheck(check, index);
        if (resolution.ok) resolved.push(resolution.check);
        else diagnostics.push(...resolution.problems.map((p) => problemDiagnostic(model, p)));
      });
      if (
        request.connection !== undefined &&
        (request.connection.dialect !== "" || request.connection.path !== "")
      ) {
        diagnostics.push(
          ...(await columnDiagnostics(
            request.connection,
            request.relation || model,
            model,
            resolved,
            options,
          )),
        );
      }
      return {
        result: {
          success: diagnostics.every((d) => d.level !== "error"),
          errors: diagnostics
            .filter((d) => d.level === "error")
            .map((d) => `${d.code} ${d.path}: ${d.message}`),
          warnings: diagnostics
            .filter((d) => d.level === "warning")
            .map((d) => `${d.code} ${d.path}: ${d.message}`),
          diagnostics,
        },
      };
    },

    async *runChecks(request, ctx) {
      const suite = request.suite;
      const checks = suite?.checks ?? [];
      const relationText = request.relation || suite?.modelName || "";
      const connection = request.connection;
      let relation: RelationName;
      let engine: Engine;
      // A file from a newer DuckDB is a setup problem, not bad data: the call fails with FLOE-DQ111.
      if (connection !== undefined) checkDuckdbFile(connection);
      try {
        if (connection === undefined) throw new Error("RunChecks carries no connection");
        relation = parseRelation(relationText, connection.schema);
        engine = await openEngine(connection, { ...options.engine, deadline: ctx.deadline });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.log.error("cannot start the suite", { model: suite?.modelName ?? "", reason: message });
        for (const check of checks) yield unrunnable(check, message);
        return;
      }
      ctx.log.info("running suite", {
        model: suite?.modelName ?? "",
        relation: displayRelation(relation),
        dialect: engine.dialect.name,
        checks: checks.length,
      });
      try {
        yield* runSuite({
          engine,
          relation,
          checks,
          failFast: suite?.failFast ?? false,
          maxFailingSamples: request.options
            ? request.options.maxFailingSamples
            : DEFAULT_MAX_FAILING_SAMPLES,
          sensitiveColumns: request.options?.sensitiveColumns ?? [],
          signal: ctx.signal,
        });
      } finally {
        await engine.close().catch(() => undefined);
      }
    },
  };
}

function diagnostic(
  code: FloeErrorCode,
  message: string,
  path: string,
  fix?: string,
): contract.Diagnostic {
  return { code, message, file: "", path, fix: fix ?? ERROR_CATALOGUE[code].fix, level: "error" };
}

function problemDiagnostic(model: string, problem: CheckProblem): contract.Diagnostic {
  return diagnostic(problem.code, problem.message, `${model}/${problem.name}.${problem.path}`);
}

async function columnDiagnostics(
  connection: contract.Connection,
  relationText: string,
  model: string,
  checks: readonly ResolvedCheck[],
  options: SqlPluginOptions,
): Promise<contract.Diagnostic[]> {
  let engine: Engine;
  let relation: RelationName;
  try {
    checkDuckdbFile(connection);
    relation = parseRelation(relationText, connection.schema);
    engine = await openEngine(connection, options.engine);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof FloeError) return [diagnostic(error.code, message, model, error.fix)];
    return [
      diagnostic(
        "FLOE-DQ100",
        message,
        model,
        "Check the connection of the model (dialect, path or host, database).",
      ),
    ];
  }
  const out: contract.Diagnostic[] = [];
  try {
    const columnsOf = new Map<string, Set<string> | string>();
    const lookup = async (name: RelationName) => {
      const key = displayRelation(name);
      if (!columnsOf.has(key)) {
        try {
          columnsOf.set(key, new Set(await engine.columnNames(name)));
        } catch (error) {
          columnsOf.set(
            key,
            error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error),
          );
        }
      }
      return columnsOf.get(key) as Set<string> | string;
    };
    const has = (columns: Set<string>, name: string) =>
      columns.has(name) || columns.has(storedIdentifier(name, engine.dialect.name));
    const main = await lookup(relation);
    if (typeof main === "string") {
      return [
        diagnostic(
          "FLOE-DQ100",
          `relation ${displayRelation(relation)} cannot be read: ${main}`,
          model,
          "Check the model's relation name and that it has been built in the connection's database.",
        ),
      ];
    }
    for (const check of checks) {
      for (const column of columnsReadBy(check)) {
        if (!has(main, column)) {
          out.push(
            diagnostic(
              "FLOE-DQ105",
              `column ${JSON.stringify(column)} does not exist in ${displayRelation(relation)} (check ${check.name})`,
              `${model}/${check.name}`,
            ),
          );
        }
      }
      if (check.type === "relationships") {
        const parent = parseRelation(String(check.parameters.to), connection.schema);
        const field = String(check.parameters.field);
        const columns = await lookup(parent);
        if (typeof columns === "string") {
          out.push(
            diagnostic(
              "FLOE-DQ100",
              `relation ${displayRelation(parent)} cannot be read: ${columns}`,
              `${model}/${check.name}.parameters.to`,
            ),
          );
        } else if (!has(columns, field)) {
          out.push(
            diagnostic(
              "FLOE-DQ105",
              `column ${JSON.stringify(field)} does not exist in ${displayRelation(parent)} (check ${check.name})`,
              `${model}/${check.name}.parameters.field`,
            ),
          );
        }
      }
    }
  } finally {
    await engine.close().catch(() => undefined);
  }
  return out;
}

/** FLOE-DQ111 when the connection's DuckDB file was written by a newer DuckDB than the engine's. */
function checkDuckdbFile(connection: contract.Connection): void {
  const dialect = dialectNamed(connection.dialect || (connection.path ? "duckdb" : ""));
  if (dialect?.name === "duckdb" && connection.path) assertDuckdbFileReadable(connection.path);
}

function unrunnable(check: contract.QualityCheck, message: string): contract.QualityCheckResult {
  return uncountedResult(check, {
    errorMessage: `the suite could not start: ${message}`,
    status: contract.CheckStatus.CHECK_STATUS_ERROR,
    errorCode: "FLOE-DQ102",
  });
}
