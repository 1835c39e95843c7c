// CI step: validates what floe-quality really emits and reads against the official
// JSON Schemas in ../shared/spec (present beside the project in CI, not in a user's
// clone). Usage: node scripts/validate-official-schemas.mjs [lineage.jsonl ...]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const root = resolve(import.meta.dirname, "..");
const spec = resolve(root, "../shared/spec");
if (!existsSync(spec)) {
  console.error(`no official schemas at ${spec}`);
  process.exit(2);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const schemaFiles = [
  ...readdirSync(join(spec, "openlineage")).map((f) => join(spec, "openlineage", f)),
  join(root, "docs/spec/FloeQualityScoreRunFacet.json"),
  join(root, "docs/spec/FloeQualityErrorRunFacet.json"),
];
for (const file of schemaFiles) ajv.addSchema(JSON.parse(readFileSync(file, "utf8")));

const OL = "https://openlineage.io/spec/2-0-2/OpenLineage.json";
const lineage = await import(join(root, "host/dist/lineage/index.js"));
const { FACET_SCHEMAS: facetSchemas } = await import(join(root, "host/dist/lineage/events.js"));

let checked = 0;
let failures = 0;
function validate(schemaRef, value, what) {
  const ok = ajv.validate({ $ref: schemaRef }, value);
  checked++;
  if (!ok) {
    failures++;
    console.error(
      `INVALID ${what} against ${schemaRef}:\n${ajv.errorsText(ajv.errors, { separator: "\n  " })}`,
    );
  }
}

function validateEvent(event, where) {
  validate(`${OL}#/$defs/RunEvent`, event, `${where} ${event.eventType} event`);
  const facets = [
    ...Object.entries(event.run?.facets ?? {}),
    ...Object.entries(event.job?.facets ?? {}),
    ...(event.inputs ?? []).flatMap((i) => Object.entries(i.inputFacets ?? {})),
  ];
  for (const [name, facet] of facets) {
    const ref = facetSchemas[name];
    if (!ref) {
      failures++;
      console.error(`${where}: facet '${name}' has no known schema`);
      continue;
    }
    validate(ref, facet, `${where} facet ${name}`);
  }
}

// 1. Events from the builders on representative inputs (pass, warn, fail with a parent).
const run = {
  runId: lineage.newRunId(),
  namespace: "shop",
  model: "customers",
  dataset: { namespace: "duckdb:///tmp/warehouse.duckdb", name: "main.customers" },
  parent: { runId: lineage.newRunId(), namespace: "dagster", name: "shop_job" },
};
const checks = [
  {
    check_name: "id_present",
    check_type: "not_null",
    column: "id",
    passed: false,
    status: "failed",
    severity: "critical",
    records_checked: 10,
    records_failed: 3,
  },
  {
    check_name: "rows",
    check_type: "row_count_between",
    passed: true,
    status: "passed",
    severity: "info",
    records_checked: 10,
    records_failed: 0,
    details: { observed_value: 10, row_count: 10 },
  },
];
const score = {
  overall: 55,
  dimension_scores: {
    completeness: 0,
    accuracy: 100,
    validity: 100,
    consistency: 100,
    timeliness: 100,
  },
  checks_passed: 1,
  checks_failed: 1,
  dbt_tests_passed: 0,
  dbt_tests_failed: 0,
};
validateEvent(lineage.buildStartEvent(run), "builder");
validateEvent(
  lineage.buildEndEvent(run, { checks, score, verdict: "warn", qualityTier: "gold" }),
  "builder",
);
validateEvent(
  lineage.buildEndEvent(run, {
    checks,
    score,
    verdict: "fail",
    errorMessage: "FLOE-DQ102: below min_score",
  }),
  "builder",
);

validateEvent(
  lineage.buildEndEvent(run, {
    checks: [{ ...checks[1] }, { ...checks[0], passed: false, status: "error" }],
    verdict: "error",
    qualityTier: "gold",
    errorMessage: "FLOE-DQ108: model customers: 1 check(s) could not run",
    error: {
      cause: "unavailable",
      retryable: true,
      code: "FLOE-DQ108",
      checks: [
        { check_name: "id_present", cause: "unavailable", retryable: true, code: "FLOE-DQ102" },
      ],
    },
  }),
  "builder",
);

// 2. Events a real run wrote (JSON lines files given on the command line).
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  if (lines.length === 0) {
    failures++;
    console.error(`${file}: no events`);
  }
  for (const [i, line] of lines.entries()) validateEvent(JSON.parse(line), `${file}:${i + 1}`);
}

console.log(`official schemas: ${checked} validations, ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
