// `floe-quality report` in a real headless Chromium (Debian's `chromium`, driven
// by playwright-core): the page loads from a file with no console error and no
// network request, shows each model's score and verdict as its last run
// returned them, draws one trend point per run, and shows a sensitive column's
// failing samples masked. A screenshot goes to test-output/report/ for review.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDemoWarehouse } from "../../host/src/cli/commands/demo.js";
import { compileShop, floeQuality, ROOT } from "./support.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

const CANARY = "canary-7f3a9c@secret.example";
const OUTPUT = join(ROOT, "test-output/report");
let dir: string;
let state: string;
let browser: Browser;
// biome-ignore lint/suspicious/noExplicitAny: JSON documents as printed
type Json = any;
/** Each run's JSON report, by model (product/model), in run order. */
const reports = new Map<string, Json[]>();

const product = `name: crm
compute: {dialect: duckdb, path: crm.duckdb}
quality:
  sample_size: 3
  sensitive_columns: [email]
models:
  - name: people
    columns: [id, email, plan]
    quality_checks:
      - {name: id_present, type: not_null, column: id, severity: critical}
      - {name: email_unique, type: unique, column: email}
      - {name: plan_known, type: accepted_values, column: plan, parameters: {values: [free, pro]}}
`;

async function sql(statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(join(dir, "crm.duckdb"));
  const connection = await instance.connect();
  try {
    for (const s of statements) await connection.run(s);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function run(artifacts: string, model: string, key: string): Promise<void> {
  const result = await floeQuality(["run", "--artifacts", artifacts, "--model", model, "--json"], {
    cwd: dir,
    env: { FLOE_LINEAGE_TRANSPORT: "none", FLOE_STATE_DIR: state },
  });
  expect(result.stderr).not.toContain("FLOE-DQ112");
  reports.set(key, [...(reports.get(key) ?? []), JSON.parse(result.stdout)]);
}

/** FLOE_CHROMIUM, else chromium (or chromium-browser) on PATH: what scripts/setup-chromium.sh installs. */
function chromiumPath(): string {
  if (process.env.FLOE_CHROMIUM) return process.env.FLOE_CHROMIUM;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error(
    "Chromium not found: run scripts/setup-chromium.sh (npm run setup) or set FLOE_CHROMIUM",
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "floe-e2e-report-"));
  state = join(dir, "state");
  await sql([
    "CREATE TABLE people (id INTEGER, email VARCHAR, plan VARCHAR)",
    `INSERT INTO people VALUES (1, 'ann@mail.com', 'free'), (2, '${CANARY}', 'pro'), (3, '${CANARY}', 'pro'), (4, 'bob@mail.com', 'gold')`,
  ]);
  await writeFile(join(dir, "crm.yaml"), product);
  const crm = join(dir, "crm.json");
  const compiled = await floeQuality(
    [
      "compile",
      "--enterprise",
      join(ROOT, "examples/manifest.yaml"),
      "--product",
      "crm.yaml",
    ].concat(["--out", crm]),
    { cwd: dir },
  );
  expect(compiled.code).toBe(0);
  // Three runs of people: the data gets better, then the duplicate comes back.
  await run(crm, "people", "crm/people");
  await sql(["DELETE FROM people WHERE id IN (3, 4)"]);
  await run(crm, "people", "crm/people");
  await sql([`INSERT INTO people VALUES (5, '${CANARY}', 'pro')`]);
  await run(crm, "people", "crm/people");
  // A second product in the same history.
  await mkdir(join(dir, "shop"));
  await createDemoWarehouse(join(dir, "shop", "warehouse.duckdb"));
  const shop = await compileShop(
    join(dir, "shop"),
    `dialect: duckdb\npath: ${join(dir, "shop", "warehouse.duckdb")}`,
  );
  await run(shop, "customers", "shop/customers");
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu"],
  });
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("floe-quality report (HTML)", () => {
  it("loads offline in Chromium with the runs' scores, verdicts, trends and masked samples", async () => {
    const file = join(dir, "report.html");
    const made = await floeQuality(["report", "--out", file], {
      cwd: dir,
      env: { FLOE_STATE_DIR: state },
    });
    expect(made.code).toBe(0);
    expect(made.stderr).toBe(`wrote ${file} (2 model(s))\n`);
    const html = await readFile(file, "utf8");
    // Self-contained: no URL a browser would fetch, and no sensitive value.
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toContain("canary");

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(
      () => Object.keys((globalThis as Json).floeCharts ?? {}).length === 2,
    );
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([url]);

    const models = await page.$$eval("article.model", (articles) =>
      articles.map((a) => ({
        product: a.getAttribute("data-product"),
        model: a.getAttribute("data-model"),
        verdict: a.querySelector(".verdict")?.textContent,
        score: a.querySelector(".score")?.textContent,
        points: (globalThis as Json).floeCharts[`${a.id}-trend`].data[0].length,
        scores: (globalThis as Json).floeCharts[`${a.id}-trend`].data[1],
        canvas: a.querySelector(".trend canvas") !== null,
      })),
    );
    const people = reports.get("crm/people")!;
    const customers = reports.get("shop/customers")!;
    expect(models).toEqual([
      {
        product: "crm",
        model: "people",
        verdict: people[2].verdict,
        score: people[2].score.overall.toFixed(2),
        points: 3,
        scores: people.map((r) => r.score.overall),
        canvas: true,
      },
      {
        product: "shop",
        model: "customers",
        verdict: customers[0].verdict,
        score: customers[0].score.overall.toFixed(2),
        points: 1,
        scores: [customers[0].score.overall],
        canvas: true,
      },
    ]);
    // The last crm run failed on email_unique: its sample is the masked hash the run printed.
    const printed = people[2].suite_result.checks.find(
      (c: Json) => c.check_name === "email_unique",
    );
    expect(printed.status).toBe("failed");
    const masked = printed.details.failing_samples;
    expect(masked).toHaveLength(1);
    expect(masked[0]).toMatch(/^masked:[0-9a-f]{16}$/);
    const row = await page.$eval(
      'article[data-model="people"] tr.check[data-check="email_unique"]',
      (tr: Json) => ({
        samples: Array.from(tr.querySelectorAll(".sample") as Json[]).map((s) => s.textContent),
        failed: tr.children[5]?.textContent,
      }),
    );
    expect(row).toEqual({
      samples: masked,
      failed: `${printed.records_failed} / ${printed.records_checked}`,
    });
    expect(await page.content()).not.toContain("canary");
    // Drill-down: the navigation links each model's section.
    const links = await page.$$eval("nav a", (as) => as.map((a) => a.textContent));
    expect(links).toEqual(["crm", "people", "shop", "customers"]);

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, "report.png"), fullPage: true });
    await page.close();
  });
});

describe("floe-quality report --markdown", () => {
  it("prints a summary table and the failing checks with masked samples", async () => {
    const made = await floeQuality(["report", "--markdown"], {
      cwd: dir,
      env: { FLOE_STATE_DIR: state },
    });
    expect(made.code).toBe(0);
    const people = reports.get("crm/people")!;
    const [first, second, third] = people.map((r) => r.score.overall);
    const lines = made.stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "# Data quality report",
      "",
      "| product | model | tier | verdict | score | change | failed checks |",
      "| --- | --- | --- | --- | ---: | ---: | ---: |",
    ]);
    const change = third - second;
    expect(lines[4]).toBe(
      `| crm | people | ${people[2].quality_tier} | ${people[2].verdict} | ${third.toFixed(2)} | ${change >= 0 ? "+" : ""}${change.toFixed(2)} | 1 |`,
    );
    expect(first).not.toBe(second);
    expect(made.stdout).toContain("## crm / people");
    const masked = people[2].suite_result.checks.find((c: Json) => c.check_name === "email_unique")
      .details.failing_samples[0];
    expect(made.stdout).toContain(`| email_unique | email |`);
    expect(made.stdout).toContain(`\`${masked}\``);
    expect(made.stdout).not.toContain("canary");
  });

  it("writes nothing and says so for an empty history", async () => {
    const empty = await floeQuality(["report", "--markdown"], {
      cwd: dir,
      env: { FLOE_STATE_DIR: join(dir, "no-runs") },
    });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe("# Data quality report\n\nThe run history holds no runs yet.\n");
  });
});
