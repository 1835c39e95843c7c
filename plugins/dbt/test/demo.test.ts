// The bundled example, checked end to end by the host (compile, run, score,
// verdict) with dbt_expectations as the provider, gives the same result as
// with floe_sql: check for check, count for count, score for score.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support.js";

const run = promisify(execFile);

async function demoWith(provider: string): Promise<string[]> {
  const examples = join(mkdtempSync(join(tmpdir(), `floe-demo-${provider}-`)), "examples");
  cpSync(join(REPO_ROOT, "examples"), examples, { recursive: true });
  const manifest = join(examples, "manifest.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8").replace("provider: floe_sql", `provider: ${provider}`),
  );
  const { stdout } = await run(
    process.execPath,
    [
      join(REPO_ROOT, "host/bin/floe-quality.js"),
      "demo",
      "--examples",
      examples,
      "--out",
      join(examples, "artifacts.json"),
    ],
    // The warehouse path in the example is relative: each run gets its own.
    {
      cwd: dirname(examples),
      env: { ...process.env, FLOE_DBT_WORKDIR: join(examples, "dbt-work") },
    },
  );
  // The first line names the artifacts file; the provider appears beside each model.
  // Failing samples are a capability dbt_expectations does not claim, and the
  // newest order time observed by the recency check is the time of each run.
  return stdout
    .split("\n")
    .slice(1)
    .filter((line) => !line.startsWith("      samples of "))
    .map((line) =>
      line.replaceAll(provider, "<provider>").replace(/"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"/, "<time>"),
    );
}

describe("the bundled example", { timeout: 180_000 }, () => {
  it("scores every model the same with dbt_expectations as with floe_sql", async () => {
    const viaSql = await demoWith("floe_sql");
    const viaDbt = await demoWith("dbt_expectations");
    expect(viaSql.filter((line) => line.includes("score")).length).toBeGreaterThan(2);
    expect(viaDbt).toEqual(viaSql);
  });
});
