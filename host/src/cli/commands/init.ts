// floe-quality init: a product floe.yaml for the tables of a DuckDB file or a
// PostgreSQL schema — columns listed, a starter check per key column — ready for
// `run --config` and for `suggest` to propose more checks.
import { existsSync } from "node:fs";
import { basename, dirname, extname, relative, resolve } from "node:path";
import { FloeError } from "@floe/quality-sdk";
import { writeFileAtomically } from "../../compile/write.js";
import { initModels } from "../../scaffold/init.js";
import { duckdbTables, postgresTables, type TableInfo } from "../../scaffold/introspect.js";
import { renderProductYaml } from "../../scaffold/product.js";
import { parseOptions, UsageError } from "../output.js";

const USAGE = `usage: floe-quality init (--duckdb FILE | --postgres postgres://USER@HOST:PORT/DATABASE)
                          [--schema NAME] [--name PRODUCT] [--out floe.yaml] [--force]

  --duckdb    a DuckDB database file (opened read-only)
  --postgres  a PostgreSQL URL without its password; the password is read from
              PGPASSWORD now and written as \${env:PGPASSWORD}, never as a value
  --schema    the schema whose tables become models (default main / public)
  --name      the product name (default: the file's or database's name)
  --out       where to write floe.yaml (default ./floe.yaml); an existing file needs --force

Then: floe-quality run --config floe.yaml`;

const OPTIONS = {
  duckdb: { type: "string" },
  postgres: { type: "string" },
  schema: { type: "string" },
  name: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

interface Source {
  compute: Record<string, unknown>;
  name: string;
  schema: string;
  describe: string;
  tables: () => Promise<TableInfo[]>;
}

/** compute settings and connection target of a `--postgres` URL (which must carry no password). */
function postgresTarget(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `--postgres '${url}' is not a URL such as postgres://etl@localhost:5432/shop`,
    );
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || parsed.pathname.length < 2) {
    throw new UsageError("--postgres needs postgres://USER@HOST:PORT/DATABASE");
  }
  if (parsed.password !== "") {
    throw new UsageError(
      "--postgres takes no password: set PGPASSWORD instead, so it stays out of floe.yaml and shell history",
    );
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port === "" ? 5432 : Number(parsed.port),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    user: decodeURIComponent(parsed.username) || "postgres",
  };
}

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ((values.duckdb === undefined) === (values.postgres === undefined)) {
    throw new UsageError(`give exactly one of --duckdb and --postgres\n\n${USAGE}`);
  }
  const out = resolve(values.out ?? "floe.yaml");
  if (existsSync(out) && !values.force) {
    throw new UsageError(`${values.out ?? "floe.yaml"} exists; pass --force to replace it`);
  }
  let source: Source;
  if (values.duckdb !== undefined) {
    const file = resolve(values.duckdb);
    if (!existsSync(file)) {
      throw new FloeError("FLOE-DQ100", `no DuckDB file at ${values.duckdb}`, {
        file: values.duckdb,
        fix: "Give the path of an existing DuckDB database file.",
      });
    }
    const schema = values.schema ?? "main";
    source = {
      // Relative to floe.yaml, as run --config resolves it.
      compute: { dialect: "duckdb", path: relative(dirname(out), file) || file },
      name: basename(file, extname(file)),
      schema,
      describe: `DuckDB ${values.duckdb} (schema ${schema})`,
      tables: () => duckdbTables(file, schema),
    };
  } else {
    const target = postgresTarget(values.postgres!);
    const schema = values.schema ?? "public";
    source = {
      compute: {
        dialect: "postgres",
        ...target,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a floe `${env:NAME}` reference, not a template
        password: "${env:PGPASSWORD}",
        ...(schema === "public" ? {} : { schema }),
      },
      name: target.database,
      schema,
      describe: `PostgreSQL ${target.host}:${target.port}/${target.database} (schema ${schema})`,
      tables: () => postgresTables({ ...target, password: process.env.PGPASSWORD }, schema),
    };
  }
  let tables: TableInfo[];
  try {
    tables = await source.tables();
  } catch (error) {
    throw new FloeError(
      "FLOE-DQ100",
      `cannot read the tables of ${source.describe}: ${(error as Error).message}`,
      {
        fix: "Check the database path or address, the user and PGPASSWORD, and that the schema exists.",
      },
    );
  }
  if (tables.length === 0) {
    throw new FloeError("FLOE-DQ100", `${source.describe} has no tables`, {
      fix: "Name the schema that holds the tables (--schema).",
    });
  }
  // PostgreSQL's compute names the schema; DuckDB's default is main.
  const models = initModels(tables, values.duckdb !== undefined ? "main" : source.schema);
  const text = renderProductYaml({
    header: [
      `Written by \`floe-quality init\` from ${source.describe}.`,
      "Run it:  floe-quality run --config floe.yaml   (built-in enterprise defaults, nothing compiled to disk)",
      "Next:    floe-quality suggest proposes checks from the data; set a model's tier (bronze, silver,",
      "         gold) when its gate should apply. Paths in this file are relative to it.",
    ],
    name: values.name ?? source.name,
    compute: source.compute,
    models,
  });
  await writeFileAtomically(out, text);
  const checks = models.reduce((n, m) => n + m.quality_checks.length, 0);
  process.stdout.write(
    `wrote ${values.out ?? "floe.yaml"}: ${models.length} models (${models.map((m) => m.name).join(", ")}), ${checks} starter checks\n`,
  );
  return 0;
}
