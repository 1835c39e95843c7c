// floe-quality report: the quality report regenerated from the run history, as
// one self-contained HTML file (default) or Markdown for CI summaries.
import { FloeError } from "@floe/quality-sdk";
import { writeFileAtomically } from "../../compile/write.js";
import { type ModelHistory, openRunHistory } from "../../history/store.js";
import { renderHtml, renderMarkdown } from "../../report/render.js";
import { parseOptions, UsageError } from "../output.js";

const USAGE = `usage: floe-quality report [--out FILE] [--markdown] [--product NAME] [--runs N]
                            [--history-url URL]

  --out          where to write the report (atomically); default floe-quality-report.html,
                 or stdout with --markdown
  --markdown     a Markdown summary (a CI job summary or PR comment) instead of HTML
  --product      only this product's models
  --runs         runs per model in the trend (default 30)
  --history-url  the store: postgresql://…, a DuckDB file (default FLOE_HISTORY_URL,
                 else <FLOE_STATE_DIR or .floe>/history.duckdb); docs/report.md`;

const OPTIONS = {
  out: { type: "string" },
  markdown: { type: "boolean", default: false },
  product: { type: "string" },
  runs: { type: "string" },
  "history-url": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

export async function run(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const runs = values.runs === undefined ? 30 : Number(values.runs);
  if (!(Number.isInteger(runs) && runs > 0)) {
    throw new UsageError(`--runs must be a whole number above 0, got '${values.runs}'`);
  }
  const history = openRunHistory({ url: values["history-url"], warn: () => undefined });
  if (!history.enabled) throw new UsageError("--history-url none: there is no history to report");
  let models: ModelHistory[];
  try {
    models = await history.snapshot({ product: values.product, runs });
  } catch (error) {
    throw new FloeError(
      "FLOE-DQ112",
      `cannot read the run history at ${history.location}: ${(error as Error).message.split("\n")[0]}`,
      { file: history.location },
    );
  }
  const input = { models, generatedAt: new Date().toISOString(), store: history.location };
  const text = values.markdown ? renderMarkdown(input) : renderHtml(input);
  const out = values.out ?? (values.markdown ? undefined : "floe-quality-report.html");
  if (out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  try {
    await writeFileAtomically(out, text);
  } catch (error) {
    throw new UsageError(`cannot write ${out}: ${(error as Error).message}`);
  }
  process.stderr.write(`wrote ${out} (${models.length} model(s))\n`);
  return 0;
}
