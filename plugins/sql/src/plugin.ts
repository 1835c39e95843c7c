// floe_sql as a QualityPlugin: metadata, ValidateSuite (vocabulary, parameters
// and — with a connection — columns) and RunChecks (the fused runner).
import {
  contract,
  ERROR_CATALOGUE,
  FLOE_API_VERSION,
  type FloeErrorCode,
  type QualityPlugin,
  uncountedResult,
} from "@floe/quality-sdk";
import {
  aggregateStatement,
  type CheckProblem,
  columnsReadBy,
  DIALECTS,
  displayRelation,
  parseRelation,
  queryKindOf,
  quoteRelation,
  type RelationName,
  type ResolvedCheck,
  resolveCheck,
  SUPPORTED_CHECK_TYPES,
  setStatement,
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
    relation = parseRelation(relationText, connection.schema);
    engine = await openEngine(connection, options.engine);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
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
    try {
      await engine.query({ sql: "SELECT version() AS version", params: [] });
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
      return [
        diagnostic(
          "FLOE-DQ100",
          `the ${engine.dialect.name} engine answers but its version cannot be read: ${reason}`,
          model,
          "Check that the connection reaches a supported DuckDB or PostgreSQL database.",
        ),
      ];
    }
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
      columns.has(name) || columns.has(storedIdentifier(engine.dialect, name));
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
      for (const [parameter, text] of sqlTextsOf(check)) {
        // The database parses the filter against the relation without reading a row.
        const probe = {
          sql: `SELECT 1 AS probe FROM ${quoteRelation(relation)} WHERE (${text}) LIMIT 0`,
          params: [],
        };
        try {
          await engine.query(probe);
        } catch (error) {
          const reason =
            error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
          out.push(
            diagnostic(
              "FLOE-DQ101",
              `${parameter} of check ${check.name} does not run on ${displayRelation(relation)}: ${reason}`,
              `${model}/${check.name}.parameters.${parameter}`,
              `Write ${parameter} as a SQL condition on ${displayRelation(relation)}'s columns (e.g. "status = 'shipped'").`,
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
      // Only a check with no problem found so far: its statement would fail for that one.
      const at = `${model}/${check.name}`;
      if (!out.some((d) => d.path === at || d.path.startsWith(`${at}.`))) {
        out.push(...(await typeDiagnostics(engine, relation, model, check)));
      }
    }
  } finally {
    await engine.close().catch(() => undefined);
  }
  return out;
}

/**
 * Whether the check's own statement compiles against the live relation: the
 * database binds it (column types included: a mean over text, a recency over
 * a number) in a LIMIT 0 query that reads no row.
 */
async function typeDiagnostics(
  engine: Engine,
  relation: RelationName,
  model: string,
  check: ResolvedCheck,
): Promise<contract.Diagnostic[]> {
  const ctx = { dialect: engine.dialect, relation, defaultSchema: engine.defaultSchema };
  const kind = queryKindOf(check, ctx);
  if (kind === "schema") return [];
  const { planned } = (kind === "set" ? setStatement : aggregateStatement)([check], ctx);
  if (planned === null) return [];
  try {
    await engine.query({
      sql: `SELECT * FROM (${planned.statement.sql}) AS probe LIMIT 0`,
      params: planned.statement.params,
    });
    return [];
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    return [
      diagnostic(
        "FLOE-DQ101",
        `check ${check.name} (${check.type}) does not run on ${displayRelation(relation)}: ${reason}`,
        `${model}/${check.name}`,
        "Give the check a column whose type suits it (numbers for between and the statistics, text for regex and length_between, dates or timestamps for recency), or change its parameters.",
      ),
    ];
  }
}

/** The SQL conditions a check carries: its row_condition and an expression_is_true expression. */
function sqlTextsOf(check: ResolvedCheck): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of ["row_condition", "expression"]) {
    const value = check.parameters[name];
    if (typeof value === "string" && value.trim() !== "") out.push([name, value]);
  }
  return out;
}

function unrunnable(check: contract.QualityCheck, message: string): contract.QualityCheckResult {
  return uncountedResult(check, {
    errorMessage: `the suite could not start: ${message}`,
    status: contract.CheckStatus.CHECK_STATUS_ERROR,
    errorCode: "FLOE-DQ102",
  });
}
