// `floe-quality plugins list|check`: what discovery finds, and whether a plugin
// starts, turns healthy, answers GetMetadata and stops.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  assertDuckdbFileReadable,
  contract,
  duckdbFileVersion,
  FloeError,
} from "@floe/quality-sdk";
import { type Diagnostic, diagnosticFromError, renderDiagnostic } from "../../errors/index.js";
import {
  type Discovery,
  discoverPlugins,
  type PluginDescriptor,
  resolveProvider,
  startPlugin,
} from "../../plugins/index.js";
import { printJson, tableLines, UsageError } from "../output.js";

const USAGE = `usage: floe-quality plugins list [--json]
       floe-quality plugins check [provider] [--json] [--start-timeout <ms>] [--duckdb <file>]

Plugins are found on FLOE_PLUGIN_PATH, in the workspace's plugins/*, and in node_modules/@floe/*.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "--help" || sub === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (sub === "list") return list(rest);
  if (sub === "check") return check(rest);
  throw new UsageError(`expected 'list' or 'check'\n${USAGE}`);
}

function parse(argv: string[], withTimeout: boolean) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        ...(withTimeout
          ? { "start-timeout": { type: "string" as const }, duckdb: { type: "string" as const } }
          : {}),
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

function descriptorJson(p: PluginDescriptor) {
  return {
    name: p.name,
    provider: p.provider,
    version: p.version,
    runtime: p.runtime,
    description: p.description,
    floe_api_version: p.floeApiVersion,
    command: p.command,
    args: p.args,
    file: p.file,
    source: p.source,
  };
}

function problemJson(d: Diagnostic) {
  return {
    code: d.code,
    level: d.level,
    message: d.message,
    file: d.file,
    path: d.path,
    fix: d.fix,
  };
}

function printProblems(discovery: Discovery): void {
  for (const problem of discovery.problems) process.stderr.write(`${renderDiagnostic(problem)}\n`);
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, false);
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument '${positionals[0]}'\n${USAGE}`);
  const discovery = discoverPlugins();
  if (values.json) {
    printJson({
      plugins: discovery.plugins.map(descriptorJson),
      problems: discovery.problems.map(problemJson),
    });
    return 0;
  }
  if (discovery.plugins.length === 0) {
    process.stdout.write("no plugins found\n");
  } else {
    const rows = [["PROVIDER", "VERSION", "RUNTIME", "API", "SOURCE", "DESCRIPTOR"]];
    for (const p of discovery.plugins) {
      rows.push([p.provider, p.version, p.runtime, p.floeApiVersion, p.source, p.file]);
    }
    process.stdout.write(`${tableLines(rows).join("\n")}\n`);
  }
  printProblems(discovery);
  return 0;
}

interface StepReport {
  step: "start" | "health" | "metadata" | "duckdb" | "ready" | "stop";
  ok: boolean;
  ms: number;
  detail: string;
}

interface CheckReport {
  provider: string;
  healthy: boolean;
  steps: StepReport[];
  error?: Diagnostic;
}

async function checkOne(
  descriptor: PluginDescriptor,
  startTimeoutMs: number | undefined,
  duckdbFile: string | undefined,
): Promise<CheckReport> {
  const report: CheckReport = { provider: descriptor.provider, healthy: false, steps: [] };
  const began = performance.now();
  let plugin: Awaited<ReturnType<typeof startPlugin>>;
  try {
    plugin = await startPlugin(descriptor, {
      ...(startTimeoutMs !== undefined ? { startTimeoutMs } : {}),
      onLog: () => undefined,
    });
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    report.steps.push({
      step: "start",
      ok: false,
      ms: performance.now() - began,
      detail: error.message,
    });
    report.error = diagnosticFromError(error);
    return report;
  }
  const t = plugin.timings;
  const caps = plugin.metadata.capabilities;
  report.steps.push(
    {
      step: "start",
      ok: true,
      ms: t.handshakeMs,
      detail: `pid ${plugin.pid()}, handshake received`,
    },
    { step: "health", ok: true, ms: t.servingMs - t.handshakeMs, detail: "SERVING" },
    {
      step: "metadata",
      ok: true,
      ms: t.metadataMs - t.servingMs,
      detail: `${plugin.metadata.name} ${plugin.metadata.version}, floe_api_version ${plugin.metadata.floeApiVersion}, dialects ${caps?.dialects.join(",") || "-"}, ${caps?.checkTypes.length ?? 0} check type${caps?.checkTypes.length === 1 ? "" : "s"}`,
    },
  );
  if (duckdbFile !== undefined && caps?.dialects.includes("duckdb")) {
    const step = duckdbStep(duckdbFile, descriptor.provider);
    report.steps.push(step.report);
    if (step.error !== undefined) report.error = diagnosticFromError(step.error);
    else report.steps.push(await readyStep(plugin, duckdbFile, began));
  }
  const stopping = performance.now();
  await plugin.stop();
  report.steps.push({
    step: "stop",
    ok: true,
    ms: performance.now() - stopping,
    detail: "stopped",
  });
  report.healthy = report.steps.every((s) => s.ok);
  return report;
}

/**
 * A run's whole start-up cost: the plugin answers SERVING before its engine is
 * loaded (great_expectations imports GX in the background), so the first call
 * that opens the warehouse (ValidateSuite of an empty suite on the file) is
 * timed too. Its diagnostics (the probe names no real table) do not matter;
 * a failed call does.
 */
async function readyStep(
  plugin: Awaited<ReturnType<typeof startPlugin>>,
  path: string,
  began: number,
): Promise<StepReport> {
  const asked = performance.now();
  try {
    await plugin.client.validateSuite(
      {
        suite: contract.QualitySuite.fromPartial({ modelName: "floe_plugins_check" }),
        connection: contract.Connection.fromPartial({ dialect: "duckdb", path: resolve(path) }),
        relation: "",
      },
      { timeoutMs: 120_000 },
    );
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    return { step: "ready", ok: false, ms: performance.now() - asked, detail: error.message };
  }
  const done = performance.now();
  return {
    step: "ready",
    ok: true,
    ms: done - asked,
    detail: `engine opened the file (ValidateSuite answered); ${Math.round(done - began)} ms from spawn to a working engine`,
  };
}

/** Whether the plugin's engine reads the DuckDB file (its header, before anything opens it). */
function duckdbStep(path: string, provider: string): { report: StepReport; error?: FloeError } {
  const began = performance.now();
  const version = duckdbFileVersion(path);
  try {
    if (version === undefined) {
      throw new FloeError("FLOE-DQ100", `${path} is not a DuckDB database file`, {
        path: "--duckdb",
        fix: "Give the path of the DuckDB file the product's compute.path names.",
      });
    }
    assertDuckdbFileReadable(path, provider);
  } catch (error) {
    if (!(error instanceof FloeError)) throw error;
    return {
      report: { step: "duckdb", ok: false, ms: performance.now() - began, detail: error.message },
      error,
    };
  }
  const writer = version?.writtenBy ? ` (DuckDB ${version.writtenBy})` : "";
  return {
    report: {
      step: "duckdb",
      ok: true,
      ms: performance.now() - began,
      detail: `${path}: storage version ${version?.storage}${writer}, readable`,
    },
  };
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, true);
  if (positionals.length > 1) throw new UsageError(`expected at most one provider\n${USAGE}`);
  const rawTimeout = (values as { "start-timeout"?: string })["start-timeout"];
  const duckdbFile = (values as { duckdb?: string }).duckdb;
  const startTimeoutMs = rawTimeout === undefined ? undefined : Number(rawTimeout);
  if (startTimeoutMs !== undefined && !(Number.isInteger(startTimeoutMs) && startTimeoutMs > 0)) {
    throw new UsageError(
      `--start-timeout must be a positive number of milliseconds, got '${rawTimeout}'`,
    );
  }
  const discovery = discoverPlugins();
  const targets =
    positionals[0] !== undefined ? [resolveProvider(discovery, positionals[0])] : discovery.plugins;
  if (targets.length === 0) {
    throw new FloeError("FLOE-DQ001", "no plugins found to check", {
      fix: "Install a plugin or add its directory to FLOE_PLUGIN_PATH (floe-quality plugins list).",
    });
  }
  const reports: CheckReport[] = [];
  for (const descriptor of targets) {
    const report = await checkOne(descriptor, startTimeoutMs, duckdbFile);
    reports.push(report);
    if (!values.json) printReport(report);
  }
  if (values.json) {
    printJson({
      plugins: reports.map((r) => ({
        provider: r.provider,
        healthy: r.healthy,
        steps: r.steps.map((s) => ({ ...s, ms: Math.round(s.ms * 10) / 10 })),
        ...(r.error !== undefined ? { error: problemJson(r.error) } : {}),
      })),
    });
  } else if (positionals[0] === undefined) {
    printProblems(discovery);
  }
  return reports.every((r) => r.healthy) ? 0 : 1;
}

function printReport(report: CheckReport): void {
  const lines = [`${report.provider}: ${report.healthy ? "healthy" : "UNHEALTHY"}`];
  for (const s of report.steps) {
    const ms = `${s.ms.toFixed(0)} ms`.padStart(8);
    lines.push(
      `  ${s.step.padEnd(8)}  ${s.ok ? "ok  " : "FAIL"}  ${ms}  ${s.ok ? s.detail : ""}`.trimEnd(),
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  if (report.error !== undefined) process.stderr.write(`${renderDiagnostic(report.error)}\n`);
}
