// CLI start-up before the first query: a fresh Node process loading the `run`
// command and the host's telemetry, with tracing off (no OTEL_* variables, the
// usual run) and on (an OTLP endpoint: the SDK and exporter load). Tracing off
// is what every run paid for the OpenTelemetry SDK's import before it was made
// lazy; the difference is the time saved. Interleaved rounds, medians.
//   npx tsx bench/startup.ts            (BENCH_RUNS to change the rounds, default 9)
// Needs the build (npm run build).
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { figuresTable } from "./table.js";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const url = (path: string) => pathToFileURL(resolve(ROOT, path)).href;

const script = `
  await import(${JSON.stringify(url("host/dist/cli/commands/run.js"))});
  const { initTelemetry } = await import(${JSON.stringify(url("host/dist/telemetry/index.js"))});
  initTelemetry({ env: process.env });
`;

function wall(env: Record<string, string>, args: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: "ignore",
  });
  return performance.now() - started;
}

const cases: Array<[string, Record<string, string>, string[]]> = [
  ["node -e '' (the floor: Node itself)", {}, ["-e", ""]],
  ["floe-quality --version", {}, [resolve(ROOT, "host/dist/cli/main.js"), "--version"]],
  ["run command + telemetry, tracing off", {}, ["--input-type=module", "-e", script]],
  [
    "run command + telemetry, tracing on (OTLP exporter loaded)",
    { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9/" },
    ["--input-type=module", "-e", script],
  ],
];

const times = cases.map(() => [] as number[]);
for (const [, env, args] of cases) wall(env, args); // warm the file cache
for (let r = 0; r < RUNS; r++) {
  cases.forEach(([, env, args], i) => {
    times[i]?.push(wall(env, args));
  });
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
console.log(`CLI start-up, whole Node processes (${RUNS} interleaved rounds, medians)`);
console.log(
  figuresTable(
    ["process", "median ms", "min ms"],
    cases.map(([label], i) => [
      label,
      median(times[i] ?? []).toFixed(0),
      Math.min(...(times[i] ?? [])).toFixed(0),
    ]),
    { rule: true },
  ).join("\n"),
);
