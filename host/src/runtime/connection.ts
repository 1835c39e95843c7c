// The product's `compute` as a plugin Connection, with `${env:NAME}` references
// resolved from the environment at run time (and nowhere else), and the checked
// dataset named for lineage without any credential.
import { isAbsolute, resolve } from "node:path";
import { type contract, FloeError, parseRelation, relationParts } from "@floe/quality-sdk";
import type { Compute } from "../config/files.js";

const REFERENCE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The variable a `${env:NAME}` setting names; undefined for a literal. */
export function envReferenceOf(value: string): string | undefined {
  return REFERENCE.exec(value)?.[1];
}

/** The value of a setting: a literal as written, or the environment variable it names. */
function resolveSetting(value: string, field: string, env: NodeJS.ProcessEnv): string {
  const match = REFERENCE.exec(value);
  if (match === null) return value;
  const name = match[1] as string;
  const resolved = env[name];
  if (resolved === undefined || resolved === "") {
    throw new FloeError(
      "FLOE-DQ100",
      `environment variable ${name} is not set; product.compute.${field} refers to it`,
      {
        path: `product.compute.${field}`,
        fix: `Set ${name} in the environment of the floe-quality host (the value is read at run time and never written anywhere).`,
      },
    );
  }
  return resolved;
}

/**
 * The values of the environment variables the compute settings refer to: the
 * run's secrets, scrubbed from everything the run says (results, errors,
 * lineage, traces, logs), whatever a driver quotes back.
 */
export function secretsOf(compute: Compute, env: NodeJS.ProcessEnv): string[] {
  const values = [...Object.values(compute), ...Object.values(compute.options ?? {})];
  return values
    .map((v) => (typeof v === "string" ? envReferenceOf(v) : undefined))
    .map((name) => (name === undefined ? undefined : env[name]))
    .filter((v): v is string => v !== undefined && v !== "");
}

/**
 * The Connection a plugin receives. A relative DuckDB path is taken from the
 * host's working directory, so the plugin (another process) opens the same file.
 */
export function resolveConnection(
  compute: Compute,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): contract.Connection {
  const options = Object.fromEntries(
    Object.entries(compute.options ?? {}).map(([key, value]) => [
      key,
      resolveSetting(value, `options.${key}`, env),
    ]),
  );
  if (compute.dialect === "duckdb") {
    const path = resolveSetting(compute.path, "path", env);
    return {
      dialect: "duckdb",
      host: "",
      port: 0,
      database: "",
      user: "",
      password: "",
      path: isAbsolute(path) ? path : resolve(cwd, path),
      schema: "",
      options,
    };
  }
  const port =
    compute.port === undefined
      ? 0
      : typeof compute.port === "number"
        ? compute.port
        : Number(resolveSetting(compute.port, "port", env));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FloeError("FLOE-DQ100", "product.compute.port is not a port number", {
      path: "product.compute.port",
      fix: "Give a port between 1 and 65535 (or a variable holding one).",
    });
  }
  const optional = (value: string | undefined, field: string) =>
    value === undefined ? "" : resolveSetting(value, field, env);
  if (compute.dialect === "spark") {
    const path = optional(compute.path, "path");
    return {
      dialect: "spark",
      host: optional(compute.host, "host"),
      port,
      database: "",
      user: optional(compute.user, "user"),
      // The Spark Connect token travels in the Connection's password field.
      password: optional(compute.token, "token"),
      path: path === "" || isAbsolute(path) || path.includes("://") ? path : resolve(cwd, path),
      schema: optional(compute.schema, "schema"),
      options,
    };
  }
  return {
    dialect: "postgres",
    host: resolveSetting(compute.host, "host", env),
    port,
    database: resolveSetting(compute.database, "database", env),
    user: resolveSetting(compute.user, "user", env),
    password:
      compute.password === undefined ? "" : resolveSetting(compute.password, "password", env),
    path: "",
    schema: compute.schema === undefined ? "" : resolveSetting(compute.schema, "schema", env),
    options,
  };
}

/**
 * The dataset a quality run reads, named per the OpenLineage naming conventions:
 * PostgreSQL `postgres://{host}:{port}` + `{database}.{schema}.{table}`; DuckDB,
 * which the conventions do not list, `duckdb://{absolute file path}` +
 * `{schema}.{table}` (`{catalog}.{schema}.{table}` when the relation names an
 * attached catalog). Parts are the stored names, unquoted, as the conventions
 * want them. Built from the settings as written, never from resolved values: a
 * setting given as `${env:NAME}` stays that reference in the name (its value is
 * a secret by definition), and user and password are never part of it.
 */
export function datasetName(
  compute: Compute,
  relation: string,
  cwd: string = process.cwd(),
): { namespace: string; name: string } {
  const parsed = parseRelation(relation);
  if (compute.dialect === "postgres") {
    const name = {
      database: parsed.database ?? compute.database,
      schema: parsed.schema ?? compute.schema ?? "public",
      identifier: parsed.identifier,
    };
    return {
      namespace: `postgres://${compute.host}:${compute.port ?? 5432}`,
      name: relationParts(name).join("."),
    };
  }
  if (compute.dialect === "spark") {
    if (compute.path !== undefined) {
      // A table under a directory: the file dataset of the conventions.
      const dir =
        envReferenceOf(compute.path) !== undefined ||
        isAbsolute(compute.path) ||
        compute.path.includes("://")
          ? compute.path
          : resolve(cwd, compute.path);
      return { namespace: "file", name: [dir, ...relationParts(parsed)].join("/") };
    }
    const name = { ...parsed, schema: parsed.schema ?? compute.schema ?? "default" };
    const where = compute.host === undefined ? "local" : `${compute.host}:${compute.port ?? 15002}`;
    return { namespace: `spark://${where}`, name: relationParts(name).join(".") };
  }
  const path =
    envReferenceOf(compute.path) !== undefined || isAbsolute(compute.path)
      ? compute.path
      : resolve(cwd, compute.path);
  const name = { ...parsed, schema: parsed.schema ?? "main" };
  return { namespace: `duckdb://${path}`, name: relationParts(name).join(".") };
}
