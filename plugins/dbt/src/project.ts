// The plugin-owned dbt project, as text. Pure: from a connection and a suite to
// the files of the project (dbt_project.yml, profiles.yml, one properties file
// per suite); writing them and running dbt is the shell's job.
import { createHash } from "node:crypto";
import {
  conditionToSql,
  type contract,
  type DimensionName,
  dimensionFromWire,
  FloeError,
  intervalText,
  lookupCheckType,
  normalizeParameters,
  parseIsoDuration,
  parseRowCondition,
  quoteIdentifier,
  sqlLiteral,
  typesRunBy,
} from "@floe/quality-sdk";
import { jinjaLiteral, renderedArgument, yamlDocument } from "./jinja.js";
import { parseRelationName, type RelationName } from "./relation.js";

/** The local dbt package holding the generic tests. */
export const PACKAGE_NAME = "floe_expectations";
export const PROJECT_NAME = "floe_checks";
export const PROFILE_NAME = "floe";
/** Environment variable carrying the connection's password to dbt (never written to disk). */
export const PASSWORD_ENV = "FLOE_DBT_PASSWORD";
/** meta.floe_role of the test that counts evaluated and failing rows (floe_counts). */
export const COUNTS_ROLE = "counts";

export type SupportedDialect = "duckdb" | "postgres";

/** The floe types this plugin runs: those the vocabulary marks as run by dbt_expectations. */
export const SUPPORTED_CHECK_TYPES: readonly string[] = typesRunBy("dbt_expectations");

/** floe severity → dbt severity: only critical checks fail a dbt run. */
export function dbtSeverity(severity: contract.Severity): "error" | "warn" {
  return severity === 1 ? "error" : "warn";
}

/** One check of a suite as written into the project. */
export interface PlannedCheck {
  readonly check: contract.QualityCheck;
  /** floe type name (aliases resolved). */
  readonly type: string;
  readonly dimension: DimensionName;
  /** Name of the dbt test node. */
  readonly testName: string;
  /** The package's generic test it runs as. */
  readonly test: string;
}

export interface SuitePlan {
  /** Path of the suite's properties file, relative to the project. */
  readonly file: string;
  readonly content: string;
  /** dbt selector of the suite's tests (its tag). */
  readonly selector: string;
  readonly checks: readonly PlannedCheck[];
  /** Stop at the first failed check (the suite's fail_fast). */
  readonly failFast: boolean;
}

export interface ProjectFiles {
  readonly "dbt_project.yml": string;
  readonly "profiles.yml": string;
}

/** A short stable hash for names that must not carry user text. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

export function dialectOf(connection: contract.Connection): SupportedDialect {
  const dialect = connection.dialect.toLowerCase();
  if (dialect === "duckdb" || dialect === "postgres" || dialect === "postgresql") {
    return dialect === "duckdb" ? "duckdb" : "postgres";
  }
  throw new FloeError(
    "FLOE-DQ100",
    `dbt_expectations cannot run checks on dialect ${JSON.stringify(connection.dialect)}`,
    {
      path: "compute.dialect",
      fix: "Use dialect duckdb or postgres, or another quality provider.",
    },
  );
}

/** What identifies a connection's project: everything but the password. */
export function connectionKey(connection: contract.Connection): string {
  const { password: _password, ...rest } = connection;
  const options = Object.fromEntries(Object.entries(rest.options ?? {}).sort());
  return shortHash(JSON.stringify({ ...rest, dialect: dialectOf(connection), options }));
}

export function defaultSchema(connection: contract.Connection): string {
  if (connection.schema) return connection.schema;
  return dialectOf(connection) === "duckdb" ? "main" : "public";
}

/** Connection options a dbt-postgres profile accepts and passes through. */
const POSTGRES_OPTIONS = [
  "sslmode",
  "sslcert",
  "sslkey",
  "sslrootcert",
  "role",
  "search_path",
  "connect_timeout",
  "keepalives_idle",
] as const;
const INTEGER_OPTIONS = new Set(["connect_timeout", "keepalives_idle"]);

/**
 * The project's fixed files. Profile strings are Jinja literals; the password is
 * an env_var() reference, so profiles.yml holds no secret.
 */
export function projectFiles(
  connection: contract.Connection,
  options: { threads: number; applicationName: string },
): ProjectFiles {
  const dialect = dialectOf(connection);
  const output: Record<string, unknown> = { type: dialect, threads: options.threads };
  if (dialect === "duckdb") {
    output.path = jinjaLiteral(connection.path);
    output.schema = jinjaLiteral(defaultSchema(connection));
    // Read-only: checks cannot change the data, and dbt can share the file with
    // other readers (another suite's dbt, the floe_sql engine) instead of failing
    // on DuckDB's single-writer file lock. No file or network access past the
    // database file and no extension loading, for the checks' own SQL
    // (expression_is_true, row_condition); see docs/host.md, "Trust model".
    output.config_options = {
      access_mode: "READ_ONLY",
      enable_external_access: false,
      autoinstall_known_extensions: false,
      autoload_known_extensions: false,
    };
  } else {
    output.host = jinjaLiteral(connection.host || "localhost");
    output.port = connection.port || 5432;
    output.user = jinjaLiteral(connection.user);
    output.password = `{{ env_var('${PASSWORD_ENV}', '') }}`;
    output.dbname = jinjaLiteral(connection.database);
    output.schema = jinjaLiteral(defaultSchema(connection));
    output.application_name = jinjaLiteral(options.applicationName);
    output.connect_timeout = 10;
    output.retries = 0;
    for (const key of POSTGRES_OPTIONS) {
      const value = connection.options?.[key];
      if (value === undefined || value === "") continue;
      output[key] = INTEGER_OPTIONS.has(key) ? Number(value) : jinjaLiteral(value);
    }
  }
  const profiles = { [PROFILE_NAME]: { target: "floe", outputs: { floe: output } } };
  const project = {
    name: PROJECT_NAME,
    version: "1.0.0",
    "config-version": 2,
    profile: PROFILE_NAME,
    "model-paths": ["models"],
    "macro-paths": ["macros"],
    "test-paths": ["tests"],
    flags: { send_anonymous_usage_stats: false, use_colors: false, partial_parse: true },
  };
  return { "dbt_project.yml": yamlDocument(project), "profiles.yml": yamlDocument(profiles) };
}

/**
 * The dbt identifier of a relation part. dbt quotes source names by wrapping
 * them in double quotes without doubling the ones inside, so the part is given
 * as the SDK quotes it, less the outer quotes dbt adds back.
 */
function sourceName(name: string): string {
  return jinjaLiteral(quoteIdentifier(name).slice(1, -1));
}

function relationOf(text: string, where: string): RelationName {
  const parsed = parseRelationName(text);
  if (typeof parsed === "string") {
    throw new FloeError("FLOE-DQ100", parsed, {
      path: where,
      fix: "Write the relation as table, schema.table or database.schema.table (quote parts holding dots).",
    });
  }
  return parsed;
}

/**
 * The suite as a dbt properties file: the checked table and any relationship
 * targets as sources, each enabled check as a generic test of the package whose
 * config carries meta.floe_check (how results are mapped back), plus the row
 * count test.
 */
export function planSuite(
  suite: contract.QualitySuite,
  relation: string,
  connection: contract.Connection,
): SuitePlan {
  const modelName = suite.modelName;
  // The suite's checks are part of the key: concurrent runs of different suites on
  // one model each get their own properties file, tag and test names in the shared
  // project (identical suites share one, with identical content).
  const key = shortHash(JSON.stringify([modelName, relation, suite.checks]));
  const sourceId = `floe_${key}`;
  const tag = `floe_suite_${key}`;
  const schema = defaultSchema(connection);

  // dbt keeps database and schema on the source, so each schema is a source.
  const sources: {
    name: string;
    database: string | undefined;
    schema: string;
    tables: { name: string; identifier: string; tests: unknown[] }[];
  }[] = [];
  const tableFor = (name: RelationName): { source: string; table: string; tests: unknown[] } => {
    const wanted = name.schema ?? schema;
    let source = sources.find((s) => s.schema === wanted && s.database === name.database);
    if (!source) {
      source = {
        name: `${sourceId}_${sources.length + 1}`,
        database: name.database,
        schema: wanted,
        tables: [],
      };
      sources.push(source);
    }
    let table = source.tables.find((t) => t.identifier === name.identifier);
    if (!table) {
      table = { name: `t${source.tables.length + 1}`, identifier: name.identifier, tests: [] };
      source.tables.push(table);
    }
    return { source: source.name, table: table.name, tests: table.tests };
  };
  const checkedTests = tableFor(relationOf(relation || modelName, "relation")).tests;

  const checks: PlannedCheck[] = [];
  const counted: { test: string; kwargs: Record<string, unknown>; row_condition: unknown }[] = [];
  suite.checks.forEach((check, index) => {
    if (!check.enabled) return;
    const where = `models.${modelName}.quality_checks[${index}]`;
    // Results come back by name (meta.floe_check), so a name must mean one check.
    if (checks.some((planned) => planned.check.name === check.name)) {
      throw new FloeError(
        "FLOE-DQ101",
        `check name ${JSON.stringify(check.name)} is used twice in suite ${JSON.stringify(modelName)}`,
        {
          path: `${where}.name`,
          fix: "Give every check of a model its own name.",
        },
      );
    }
    const spec = lookupCheckType(check.type);
    const shape = spec && SUPPORTED_CHECK_TYPES.includes(spec.type) ? spec.dbtMapping : undefined;
    if (!spec || !shape) {
      throw new FloeError(
        "FLOE-DQ101",
        `check ${JSON.stringify(check.name)}: unknown check type ${JSON.stringify(check.type)}`,
        { path: where },
      );
    }
    const parsed = spec.parameters.safeParse(normalizeParameters(check.parameters ?? {}));
    if (!parsed.success) {
      throw new FloeError(
        "FLOE-DQ101",
        `check ${JSON.stringify(check.name)} (${spec.type}): ${parsed.error.issues.map((i) => `${i.path.join(".") || "parameters"}: ${i.message}`).join("; ")}`,
        { path: `${where}.parameters` },
      );
    }
    const args: Record<string, unknown> = {};
    if (spec.column === "required") {
      if (!check.column) {
        throw new FloeError(
          "FLOE-DQ101",
          `check ${JSON.stringify(check.name)} (${spec.type}) needs a column`,
          { path: `${where}.column` },
        );
      }
      // dbt hands column_name to the test without rendering it, so it stays plain text.
      args.column_name = check.column;
    }
    for (const [name, value] of Object.entries(parsed.data)) {
      if (value === undefined) continue;
      if (spec.type === "recency" && name === "max_age") {
        // Calendar months and years, as every plugin counts them (the schema checked the text).
        args.max_age = renderedArgument(intervalText(parseIsoDuration(String(value))));
        continue;
      }
      if (name === "row_condition") {
        // The portable filter as SQL: columns quoted, values written as literals.
        const sql = conditionToSql(parseRowCondition(String(value)), {
          ident: (column) => quoteIdentifier(column),
          value: sqlLiteral,
        });
        args.row_condition = renderedArgument(sql);
        continue;
      }
      if (name === "row_condition_sql") {
        args.row_condition = renderedArgument(String(value));
        continue;
      }
      if (spec.type === "relationships" && name === "to") {
        const target = tableFor(relationOf(String(value), `${where}.parameters.to`));
        args.to = `{{ source('${target.source}', '${target.table}') }}`;
        continue;
      }
      args[shape.renames?.[name] ?? name] = renderedArgument(value);
    }
    const dimension = dimensionFromWire(check.dimension) ?? spec.dimension;
    const testName = `${tag}_${checks.length + 1}`;
    checkedTests.push({
      [`${PACKAGE_NAME}.${shape.test}`]: {
        name: testName,
        arguments: args,
        config: {
          severity: dbtSeverity(check.severity),
          tags: [tag],
          meta: { floe_check: check.name, dimension },
        },
      },
    });
    checks.push({ check, type: spec.type, dimension, testName, test: shape.test });
    const { to: _to, row_condition: rowCondition, column_name: column, ...kwargs } = args;
    counted.push({
      test: shape.test,
      // Nested values are rendered by dbt, column_name included.
      kwargs:
        column === undefined ? kwargs : { ...kwargs, column_name: jinjaLiteral(String(column)) },
      row_condition: rowCondition ?? null,
    });
  });
  checkedTests.push({
    [`${PACKAGE_NAME}.floe_counts`]: {
      name: `${tag}_counts`,
      arguments: { checks: counted },
      config: { tags: [tag], meta: { floe_role: COUNTS_ROLE } },
    },
  });

  const properties = {
    version: 2,
    sources: sources.map((source) => ({
      name: source.name,
      quoting: { database: true, schema: true, identifier: true },
      ...(source.database !== undefined ? { database: sourceName(source.database) } : {}),
      schema: sourceName(source.schema),
      tables: source.tables.map((t) => ({
        name: t.name,
        identifier: sourceName(t.identifier),
        data_tests: t.tests,
      })),
    })),
  };
  return {
    file: `models/floe/${sourceId}.yml`,
    content: yamlDocument(properties),
    selector: `tag:${tag}`,
    checks,
    failFast: suite.failFast,
  };
}
