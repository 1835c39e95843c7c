// floe-quality history: a model's last runs from the run history (score,
// verdict, failed checks), as a table or one JSON document.
import { FloeError } from "@floe/quality-sdk";
import { openRunHistory } from "../../history/store.js";
import { parseOptions, printJson, tableLines, UsageError } from "../output.js";

const USAGE = `usage: floe-quality history --model NAME [--product NAME] [--limit N] [--json]
                             [--history-url URL]

  --model        the model whose runs to list, newest first
  --product      only the runs of this product (models of several products share a store)
  --limit        how many runs (default 20)
  --json         print one JSON document
  --history-url  the store: postgresql://…, a DuckDB file (default FLOE_HISTORY_URL,
                 else <FLOE_STATE_DIR or .floe>/history.duckdb); docs/report.md`;

const OPTIONS = {
  model: { type: "string" },
  product: { type: "string" },
  limit: { type: "string" },
  json: { type: "boolean", default: false },
  "history-url": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.model === undefined) throw new UsageError(`missing --model\n\n${USAGE}`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!(Number.isInteger(limit) && limit > 0)) {
    throw new UsageError(`--limit must be a whole number above 0, got '${values.limit}'`);
  }
  const history = openRunHistory({ url: values["history-url"], warn: () => undefined });
  if (!history.enabled) throw new UsageError("--history-url none: there is no history to read");
  let runs: Awaited<ReturnType<typeof history.runs>>;
  try {
    runs = await history.runs(values.model, { product: values.product, limit });
  } catch (error) {
    throw new FloeError(
      "FLOE-DQ112",
      `cannot read the run history at ${history.location}: ${(error as Error).message.split("\n")[0]}`,
      { file: history.location },
    );
  }
  if (values.json) {
    printJson({ model: values.model, store: history.location, runs });
    return 0;
  }
  if (runs.length === 0) {
    process.stdout.write(`no runs of model ${values.model} in ${history.location}\n`);
    return 0;
  }
  const rows = [
    ["run_at", "product", "verdict", "score", "failed", "errored", "failed checks"],
    ...runs.map((r) => [
      r.run_at,
      r.product,
      r.verdict,
      r.score === null ? "-" : r.score.toFixed(2),
      String(r.checks_failed),
      String(r.checks_errored),
      r.verdict === "error"
        ? `(${r.error_cause}) ${r.error_message ?? ""}`
        : r.failed_checks.join(", "),
    ]),
  ];
  process.stdout.write(`${tableLines(rows).join("\n")}\n`);
  return 0;
}
