// The quality report from the run history: one self-contained static HTML file
// (uPlot and its stylesheet inlined, a Content-Security-Policy that allows no
// request at all) and a Markdown summary for CI job summaries and PR comments.
// Values shown are the stored ones: samples of sensitive columns were masked by
// the sample policy before they were stored; nothing is unmasked here.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ModelHistory, ReportCheck } from "../history/store.js";

export interface ReportInput {
  models: readonly ModelHistory[];
  /** When the report was made (ISO 8601). */
  generatedAt: string;
  /** Where the history was read from (shown in the footer). */
  store: string;
}

const require = createRequire(import.meta.url);

/** The pinned uPlot's browser build and stylesheet, read from node_modules. */
function uplotAssets(): { script: string; css: string } {
  const dir = require.resolve("uplot/dist/uPlot.iife.min.js").replace(/uPlot\.iife\.min\.js$/, "");
  return {
    script: readFileSync(`${dir}uPlot.iife.min.js`, "utf8"),
    css: readFileSync(`${dir}uPlot.min.css`, "utf8"),
  };
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** An id fragment for a product or model name (names may hold any character). */
function slug(text: string): string {
  return Array.from(text, (ch) =>
    /[A-Za-z0-9_-]/.test(ch) ? ch : `.${ch.codePointAt(0)!.toString(16)}`,
  ).join("");
}

export const modelAnchor = (m: Pick<ModelHistory, "product" | "model">) =>
  `model-${slug(m.product)}--${slug(m.model)}`;

const formatScore = (score: number | null) => (score === null ? "–" : score.toFixed(2));

/** A value of the details as text (samples, observed values). */
function valueText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The checks of the newest run that did not pass: failed first, then errors. */
export function failingChecks(m: ModelHistory): ReportCheck[] {
  const rank = (c: ReportCheck) => (c.status === "failed" ? 0 : 1);
  return m.checks
    .filter((c) => c.status === "failed" || c.status === "error" || c.status === "timed_out")
    .sort((a, b) => rank(a) - rank(b));
}

function samplesOf(c: ReportCheck): unknown[] {
  const samples = c.details.failing_samples;
  return Array.isArray(samples) ? samples : [];
}

const STYLE = `
:root { --pass: #1a7f37; --warn: #9a6700; --fail: #cf222e; --error: #8250df; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0; display: inline; }
.muted { color: var(--muted); }
nav ul { padding-left: 18px; margin: 8px 0; } nav li { margin: 2px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
.model { border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 16px 0; break-inside: avoid; }
.head { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
.verdict { font-weight: 700; text-transform: uppercase; padding: 2px 8px; border-radius: 4px; color: #fff; }
.verdict-pass { background: var(--pass); } .verdict-warn { background: var(--warn); } .verdict-fail { background: var(--fail); } .verdict-error { background: var(--error); }
.gauge { width: 96px; height: 96px; border-radius: 50%; display: grid; place-items: center; }
.gauge span { background: #fff; border-radius: 50%; width: 72px; height: 72px; display: grid; place-items: center; font-weight: 700; font-size: 18px; }
.bars { display: grid; grid-template-columns: 110px 1fr 56px; gap: 4px 8px; align-items: center; min-width: 320px; flex: 1; }
.bar { background: #eef1f4; height: 10px; border-radius: 5px; overflow: hidden; }
.bar > div { height: 100%; background: #0969da; }
.trend { margin-top: 12px; }
code, .sample { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.sample { display: inline-block; background: #f6f8fa; border-radius: 3px; padding: 0 4px; margin: 1px 2px; }
footer { margin-top: 32px; font-size: 12px; }
@media print { body { padding: 0; } details { display: block; } details > summary { list-style: none; } .model { page-break-inside: avoid; } }
`;

function gauge(score: number | null, verdict: string): string {
  const pct = score === null ? 0 : Math.max(0, Math.min(100, score));
  const colour = `var(--${verdict === "pass" || verdict === "warn" || verdict === "fail" ? verdict : "error"})`;
  return `<div class="gauge" style="background: conic-gradient(${colour} ${pct * 3.6}deg, #eef1f4 0)" role="img" aria-label="score ${formatScore(score)}"><span class="score">${formatScore(score)}</span></div>`;
}

function dimensionBars(dimensions: Record<string, number> | null): string {
  if (dimensions === null) return `<p class="muted">no score: the checks could not run</p>`;
  const rows = Object.entries(dimensions)
    .map(
      ([name, value]) =>
        `<span>${escapeHtml(name)}</span><div class="bar"><div style="width:${Math.max(0, Math.min(100, value)).toFixed(2)}%"></div></div><span>${value.toFixed(1)}</span>`,
    )
    .join("");
  return `<div class="bars" aria-label="dimension scores">${rows}</div>`;
}

function checkRows(m: ModelHistory): string {
  const failing = failingChecks(m);
  if (failing.length === 0) return `<p>Every check of the latest run passed or was skipped.</p>`;
  const rows = failing
    .map((c) => {
      const observed =
        c.status === "failed"
          ? valueText(c.details.observed_value)
          : `${c.status}${c.error_message ? `: ${c.error_message}` : ""}`;
      const samples = samplesOf(c)
        .map((s) => `<span class="sample">${escapeHtml(valueText(s))}</span>`)
        .join("");
      return `<tr class="check" data-check="${escapeHtml(c.check_name)}" data-status="${escapeHtml(c.status)}"><td>${escapeHtml(c.check_name)}${c.source === "dbt" ? ' <span class="muted">(dbt)</span>' : ""}</td><td>${escapeHtml(c.check_type ?? "")}</td><td>${escapeHtml(c.column ?? "")}</td><td>${escapeHtml(c.severity)}</td><td class="observed">${escapeHtml(observed)}</td><td>${c.records_failed} / ${c.records_checked}</td><td class="samples">${samples}</td></tr>`;
    })
    .join("");
  return `<details open><summary>${failing.length} check(s) did not pass in the latest run</summary><table><thead><tr><th>check</th><th>type</th><th>column</th><th>severity</th><th>observed</th><th>failed / checked</th><th>failing samples</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

function modelSection(m: ModelHistory): string {
  const latest = m.runs[m.runs.length - 1]!;
  const id = modelAnchor(m);
  const error =
    latest.verdict === "error"
      ? `<p class="error">could not run (${escapeHtml(latest.error_cause ?? "")}): ${escapeHtml(latest.error_message ?? "")}</p>`
      : "";
  return `<article class="model" id="${id}" data-product="${escapeHtml(m.product)}" data-model="${escapeHtml(m.model)}" data-score="${latest.score ?? ""}" data-verdict="${escapeHtml(latest.verdict)}" data-runs="${m.runs.length}">
<div class="head"><h3>${escapeHtml(m.model)}</h3><span class="verdict verdict-${escapeHtml(latest.verdict)}">${escapeHtml(latest.verdict)}</span><span class="muted">tier ${escapeHtml(latest.quality_tier)} · latest run ${escapeHtml(latest.run_at)} · ${m.runs.length} run(s) shown</span></div>
<div class="head">${gauge(latest.score, latest.verdict)}${dimensionBars(latest.dimension_scores)}</div>
${error}
<div class="trend" id="${id}-trend" aria-label="score and failed checks per run"></div>
${checkRows(m)}
</article>`;
}

/** The report as one HTML document with everything inlined. */
export function renderHtml(input: ReportInput): string {
  const { script, css } = uplotAssets();
  const products = [...new Set(input.models.map((m) => m.product))];
  const nav = products
    .map(
      (p) =>
        `<li><a href="#product-${slug(p)}">${escapeHtml(p)}</a><ul>${input.models
          .filter((m) => m.product === p)
          .map((m) => {
            const latest = m.runs[m.runs.length - 1]!;
            return `<li><a href="#${modelAnchor(m)}">${escapeHtml(m.model)}</a> <span class="muted">${escapeHtml(latest.verdict)} ${formatScore(latest.score)}</span></li>`;
          })
          .join("")}</ul></li>`,
    )
    .join("");
  const sections = products
    .map(
      (p) =>
        `<section class="product" id="product-${slug(p)}"><h2>${escapeHtml(p)}</h2>${input.models
          .filter((m) => m.product === p)
          .map(modelSection)
          .join("\n")}</section>`,
    )
    .join("\n");
  const trends = input.models.map((m) => ({
    id: `${modelAnchor(m)}-trend`,
    t: m.runs.map((r) => Date.parse(r.run_at) / 1000),
    score: m.runs.map((r) => r.score),
    failed: m.runs.map((r) => r.checks_failed),
  }));
  const body =
    input.models.length === 0
      ? `<p>The run history holds no runs yet: run <code>floe-quality run</code> first.</p>`
      : `<nav><strong>Products and models</strong><ul>${nav}</ul></nav>${sections}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>floe-quality report</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>Data quality report</h1>
<p class="muted">Generated ${escapeHtml(input.generatedAt)} from the run history; ${input.models.length} model(s).</p>
${body}
<footer class="muted">floe-quality · history ${escapeHtml(input.store)} · sensitive columns' samples are masked as stored.</footer>
<script>${script}</script>
<script type="application/json" id="floe-trends">${scriptJson(trends)}</script>
<script>
(function () {
  var trends = JSON.parse(document.getElementById("floe-trends").textContent);
  var charts = {};
  trends.forEach(function (t) {
    var el = document.getElementById(t.id);
    if (!el) return;
    charts[t.id] = new uPlot({
      width: Math.min(1000, el.parentElement.clientWidth - 32),
      height: 180,
      scales: { score: { range: [0, 100] }, failed: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { scale: "score", label: "score" }, { scale: "failed", side: 1, label: "failed checks", grid: { show: false } }],
      series: [
        {},
        { label: "score", scale: "score", stroke: "#0969da", width: 2, points: { show: true, size: 6 } },
        { label: "failed checks", scale: "failed", stroke: "#cf222e", width: 1, points: { show: true, size: 5 } }
      ]
    }, [t.t, t.score, t.failed], el);
  });
  window.floeCharts = charts;
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
</script>
</body>
</html>
`;
}

/** A Markdown summary: a table of every model, then the failing checks of each. */
export function renderMarkdown(input: ReportInput): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = ["# Data quality report", ""];
  if (input.models.length === 0) {
    lines.push("The run history holds no runs yet.", "");
    return lines.join("\n");
  }
  lines.push(
    "| product | model | tier | verdict | score | change | failed checks |",
    "| --- | --- | --- | --- | ---: | ---: | ---: |",
  );
  for (const m of input.models) {
    const latest = m.runs[m.runs.length - 1]!;
    const previous = m.runs.length > 1 ? m.runs[m.runs.length - 2]! : undefined;
    const change =
      previous?.score != null && latest.score !== null
        ? `${latest.score - previous.score >= 0 ? "+" : ""}${(latest.score - previous.score).toFixed(2)}`
        : "";
    lines.push(
      `| ${cell(m.product)} | ${cell(m.model)} | ${latest.quality_tier} | ${latest.verdict} | ${formatScore(latest.score)} | ${change} | ${latest.checks_failed} |`,
    );
  }
  for (const m of input.models) {
    const failing = failingChecks(m);
    if (failing.length === 0) continue;
    lines.push("", `## ${cell(m.product)} / ${cell(m.model)}`, "");
    lines.push(
      "| check | column | observed | failed / checked | samples |",
      "| --- | --- | --- | ---: | --- |",
    );
    for (const c of failing) {
      const observed =
        c.status === "failed"
          ? valueText(c.details.observed_value)
          : `${c.status}: ${c.error_message ?? ""}`;
      const samples = samplesOf(c)
        .map((s) => `\`${valueText(s).replace(/`/g, "'")}\``)
        .join(", ");
      lines.push(
        `| ${cell(c.check_name)} | ${cell(c.column ?? "")} | ${cell(observed)} | ${c.records_failed} / ${c.records_checked} | ${cell(samples)} |`,
      );
    }
  }
  lines.push("");
  return lines.join("\n");
}
