#!/usr/bin/env node
// floe-quality: one binary, one module per command (host/src/cli/commands/<name>.ts),
// each exporting `run(argv)` that resolves to the exit code. This module loads
// little (not the SDK's gRPC half, not the config schemas), so `run` can start
// its plugin before the command's modules load (./prestart.ts).
import { readFileSync } from "node:fs";
import { FloeError } from "@floe/quality-sdk/errors";
import { FLOE_API_VERSION } from "@floe/quality-sdk/protocol";
import { didYouMean } from "../config/suggest.js";
import { DiagnosticsError, renderDiagnostic } from "../errors/index.js";
import { renderError, UsageError } from "./output.js";

const COMMANDS: Readonly<Record<string, string>> = {
  demo: "create an embedded DuckDB warehouse with planted defects, compile, check every model",
  compile: "merge enterprise, domain and product config into compiled_artifacts.json",
  run: "run models' checks from compiled artifacts (--model, --select, --all) or one floe.yaml (--config)",
  validate: "check the configuration against the live warehouse without running checks",
  history: "a model's last runs from the run history (score, verdict, failed checks)",
  report: "write the quality report from the run history: one HTML file, or --markdown",
  score: "score a QualitySuiteResult JSON with a QualityConfig",
  serve: "serve the QualityHost gRPC API to orchestrators",
  plugins: "list discovered plugins, or start and check one",
  conformance: "run the plugin conformance suite",
  init: "write a product floe.yaml for the tables of a DuckDB file or PostgreSQL schema",
  suggest: "profile a model's table and propose checks its data passes that meet the tier's gate",
  import: "turn a data contract (import odcs contract.yaml) into a product floe.yaml",
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([c, what]) => `  ${c.padEnd(width)}  ${what}`);
  return [
    "usage: floe-quality <command> [options]",
    "",
    ...lines,
    "",
    "Run `floe-quality <command> --help` for a command's options; `floe-quality --version` for the versions.",
  ].join("\n");
}

/** The host package's version (host/package.json, beside dist/). */
function version(): string {
  const file = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** `floe-quality 0.1.0 (contract floe.quality.v1, plugin API 1.0.0, artifacts 0.4.0)`: the contracts it speaks. */
async function versionLine(): Promise<string> {
  const { ARTIFACTS_VERSION } = await import("../compile/artifacts.js");
  return `floe-quality ${version()} (contract floe.quality.v1, plugin API ${FLOE_API_VERSION}, artifacts ${ARTIFACTS_VERSION})`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${usage()}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-V" || command === "version") {
    process.stdout.write(`${await versionLine()}\n`);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    process.stderr.write(
      `floe-quality: unknown command '${command}'${didYouMean(command, Object.keys(COMMANDS))}\n\n${usage()}\n`,
    );
    return 2;
  }
  if (command === "run") void (await import("./prestart.js")).prestartRunPlugin(rest);
  try {
    const module: { run(argv: string[]): Promise<number> } = await import(
      `./commands/${command}.js`
    );
    return await module.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`floe-quality ${command}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof FloeError) {
      process.stderr.write(`${renderError(error)}\n`);
      return 1;
    }
    if (error instanceof DiagnosticsError) {
      process.stderr.write(`${error.diagnostics.map(renderDiagnostic).join("\n")}\n`);
      return 1;
    }
    throw error;
  } finally {
    // A prestarted plugin the run did not take (another provider, an early error).
    if (command === "run") (await import("../plugins/launch.js")).discardPrestarted();
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
