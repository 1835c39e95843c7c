// floe-quality import odcs: an Open Data Contract Standard v3 contract's schema
// and quality rules as floe checks in a product floe.yaml; rules floe cannot
// express are listed (stderr, and in the file's header), never dropped silently.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomically } from "../../compile/write.js";
import { readSourceText } from "../../config/load.js";
import { importOdcsContract } from "../../contracts/odcs.js";
import { renderDiagnostic } from "../../errors/index.js";
import { renderProductYaml } from "../../scaffold/product.js";
import { printJson, UsageError } from "../output.js";

const USAGE = `usage: floe-quality import odcs CONTRACT.yaml [--out floe.yaml] [--name PRODUCT] [--force] [--json]

  odcs     an Open Data Contract Standard v3 contract (apiVersion v3.x, kind DataContract)
  --out    where to write the product floe.yaml (default ./floe.yaml); an existing file needs --force
  --name   the product name (default: the contract's id)
  --json   print the models, checks and unsupported rules as JSON instead of writing a file

Each schema object becomes a model, each property a column; required, unique, primaryKey,
logicalTypeOptions (pattern, minLength/maxLength, minimum/maximum) and library quality rules
(nullValues, duplicateValues, invalidValues, rowCount) become checks. To keep the contract the
source of truth instead, name it in floe.yaml (contract: orders.odcs.yaml) and compile.`;

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseImportArgs>;
  try {
    parsed = parseImportArgs(argv);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [format, file, ...extra] = positionals;
  if (format !== "odcs" || file === undefined || extra.length > 0) {
    throw new UsageError(`expected: import odcs CONTRACT.yaml\n\n${USAGE}`);
  }
  const out = values.out ?? "floe.yaml";
  if (!values.json && existsSync(resolve(out)) && !values.force) {
    throw new UsageError(`${out} exists; pass --force to replace it`);
  }
  const source = await readSourceText(file);
  if (!("text" in source)) {
    process.stderr.write(`${renderDiagnostic(source)}\n`);
    return 1;
  }
  const imported = importOdcsContract(source);
  if (!imported.ok) {
    process.stderr.write(`${imported.diagnostics.map(renderDiagnostic).join("\n")}\n`);
    return 1;
  }
  const checks = imported.models.reduce((n, m) => n + m.quality_checks.length, 0);
  if (values.json) {
    printJson({
      contract: { id: imported.id, version: imported.version, file },
      models: imported.models,
      unsupported: imported.unsupported,
    });
    return 0;
  }
  if (imported.unsupported.length > 0) {
    process.stderr.write(`${imported.unsupported.map(renderDiagnostic).join("\n")}\n`);
  }
  const text = renderProductYaml({
    header: [
      `Written by \`floe-quality import odcs\` from ${file} (contract ${imported.id} ${imported.version}).`,
      "Set compute to the warehouse that holds these tables, and each model's tier.",
      ...(imported.unsupported.length === 0
        ? ["Every rule of the contract became a check."]
        : [
            `Not checked (${imported.unsupported.length}): ${imported.unsupported.map((d) => d.path).join(", ")}`,
          ]),
    ],
    name: values.name ?? imported.id,
    compute: { dialect: "duckdb", path: "warehouse.duckdb" },
    models: imported.models,
  });
  await writeFileAtomically(resolve(out), text);
  process.stdout.write(
    `wrote ${out}: ${imported.models.length} models, ${checks} checks; ${imported.unsupported.length} rules not supported\n`,
  );
  return 0;
}

function parseImportArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: "string" },
      name: { type: "string" },
      force: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}
