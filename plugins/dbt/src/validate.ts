// ValidateSuite: every check must be a type this plugin runs, with valid
// parameters, on columns the table has. Column existence is checked against the
// warehouse when the request carries a connection; if the warehouse cannot be
// reached the suite is still validated and a warning says what was skipped.
import { type contract, FloeError, lookupCheckType } from "@floe/quality-sdk";
import { tableColumns } from "./columns.js";
import { planSuite } from "./project.js";
import { parseRelationName } from "./relation.js";

interface Diagnostic {
  code: string;
  message: string;
  path: string;
  fix: string;
  level: "error" | "warning";
}

function diagnostic(
  code: string,
  message: string,
  path: string,
  fix: string,
  level: "error" | "warning" = "error",
): Diagnostic {
  return { code, message, path, fix, level };
}

function asValidationResult(diagnostics: Diagnostic[]): contract.ValidationResult {
  const errors = diagnostics.filter((d) => d.level === "error");
  const warnings = diagnostics.filter((d) => d.level === "warning");
  return {
    success: errors.length === 0,
    errors: errors.map((d) => `${d.code} ${d.path}: ${d.message}`),
    warnings: warnings.map((d) => `${d.path}: ${d.message}`),
    diagnostics: diagnostics.map((d) => ({ ...d, file: "" })),
  };
}

/** Checks one at a time, so that every bad check is reported, not only the first. */
function definitionDiagnostics(
  suite: contract.QualitySuite,
  relation: string,
  connection: contract.Connection,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  suite.checks.forEach((check, index) => {
    try {
      planSuite({ ...suite, checks: [{ ...check, enabled: true }] }, relation, connection);
    } catch (error) {
      if (!(error instanceof FloeError)) throw error;
      const path = (error.path ?? "").replace(/quality_checks\[0\]/, `quality_checks[${index}]`);
      out.push(diagnostic(error.code, error.message, path, error.fix));
    }
  });
  return out;
}

/** Column names the suite's checks refer to, with where each is referenced. */
function referencedColumns(
  suite: contract.QualitySuite,
): { column: string; path: string; check: string }[] {
  const out: { column: string; path: string; check: string }[] = [];
  suite.checks.forEach((check, index) => {
    const base = `models.${suite.modelName}.quality_checks[${index}]`;
    // A missing column is what column_exists reports at run time, not a definition error.
    if (lookupCheckType(check.type)?.type === "column_exists") return;
    if (check.column) out.push({ column: check.column, path: `${base}.column`, check: check.name });
    const p = check.parameters ?? {};
    for (const key of ["column_a", "column_b", "column_A", "column_B"]) {
      if (typeof p[key] === "string")
        out.push({ column: p[key], path: `${base}.parameters.${key}`, check: check.name });
    }
    for (const key of ["columns", "column_list", "combination_of_columns"]) {
      const list = p[key];
      if (Array.isArray(list)) {
        for (const c of list)
          if (typeof c === "string")
            out.push({ column: c, path: `${base}.parameters.${key}`, check: check.name });
      }
    }
  });
  return out;
}

export async function validateSuite(
  request: contract.ValidateSuiteRequest,
  password: string,
): Promise<contract.ValidationResult> {
  const suite = request.suite;
  if (!suite) {
    return asValidationResult([
      diagnostic("FLOE-DQ100", "the request carries no suite", "suite", "Send the model's suite."),
    ]);
  }
  const connection = request.connection;
  const emptyConnection: contract.Connection = {
    dialect: "duckdb",
    host: "",
    port: 0,
    database: "",
    user: "",
    password: "",
    path: "",
    schema: "",
    options: {},
  };
  let diagnostics: Diagnostic[];
  try {
    diagnostics = definitionDiagnostics(
      suite,
      request.relation,
      connection?.dialect ? connection : emptyConnection,
    );
  } catch (error) {
    if (error instanceof FloeError) {
      return asValidationResult([
        diagnostic(error.code, error.message, error.path ?? "", error.fix),
      ]);
    }
    throw error;
  }
  if (!connection?.dialect || diagnostics.length > 0) return asValidationResult(diagnostics);

  const relation = parseRelationName(request.relation || suite.modelName);
  if (typeof relation === "string") return asValidationResult(diagnostics);
  let columns: string[] | undefined;
  try {
    columns = await tableColumns(connection, relation, password);
  } catch (error) {
    diagnostics.push(
      diagnostic(
        "FLOE-DQ105",
        `columns not checked: the warehouse could not be reached (${(error as Error).message})`,
        `models.${suite.modelName}`,
        "Check the connection, or validate again where the warehouse is reachable.",
        "warning",
      ),
    );
    return asValidationResult(diagnostics);
  }
  if (columns === undefined) {
    diagnostics.push(
      diagnostic(
        "FLOE-DQ105",
        `table ${JSON.stringify(request.relation || suite.modelName)} does not exist`,
        `models.${suite.modelName}.relation`,
        "Create the model first, or correct its relation.",
      ),
    );
    return asValidationResult(diagnostics);
  }
  const known = new Set(columns);
  const folded = new Set(columns.map((c) => c.toLowerCase()));
  const caseInsensitive = connection.dialect === "duckdb";
  for (const ref of referencedColumns(suite)) {
    if (known.has(ref.column) || (caseInsensitive && folded.has(ref.column.toLowerCase())))
      continue;
    diagnostics.push(
      diagnostic(
        "FLOE-DQ105",
        `check ${JSON.stringify(ref.check)}: column ${JSON.stringify(ref.column)} does not exist in ${JSON.stringify(request.relation || suite.modelName)} (columns: ${columns.join(", ")})`,
        ref.path,
        "Verify the column exists in the model (floe.yaml columns, dbt manifest or warehouse).",
      ),
    );
  }
  return asValidationResult(diagnostics);
}
