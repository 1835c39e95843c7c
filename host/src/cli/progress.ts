// Progress of `run` on stderr: on a terminal, one live bar per model
// (cli-progress); elsewhere (a pipe, CI, --json) one plain line per check as it
// finishes, so a long run is never silent.
import { MultiBar, Presets } from "cli-progress";
import type { CompiledArtifacts } from "../compile/artifacts.js";
import type { CheckProgress } from "../runtime/index.js";

export interface Progress {
  check(progress: CheckProgress): void;
  stop(): void;
}

const LABEL: Readonly<Record<string, string>> = {
  passed: "pass",
  failed: "FAIL",
  error: "ERROR",
  timed_out: "TIMEOUT",
  skipped: "skip",
};

function bars(
  stream: NodeJS.WriteStream,
  artifacts: CompiledArtifacts,
  models: readonly string[],
): Progress {
  const width = Math.max(...models.map((m) => m.length));
  const multi = new MultiBar(
    {
      stream,
      format: "{model} [{bar}] {value}/{total} {note}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 24,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const byModel = new Map(
    models.map((name) => {
      const total = artifacts.models.find((m) => m.name === name)?.quality_checks.length ?? 0;
      return [
        name,
        {
          bar: multi.create(Math.max(total, 1), 0, { model: name.padEnd(width), note: "" }),
          bad: 0,
        },
      ];
    }),
  );
  return {
    check(p) {
      const entry = byModel.get(p.model);
      if (entry === undefined) return;
      if (p.result.status !== "passed" && p.result.status !== "skipped") entry.bad += 1;
      entry.bar.update(p.completed, {
        note: `${p.result.check_name} ${LABEL[p.result.status] ?? p.result.status}${entry.bad > 0 ? ` (${entry.bad} not passed)` : ""}`,
      });
    },
    stop() {
      multi.stop();
    },
  };
}

function lines(stream: NodeJS.WritableStream): Progress {
  return {
    check(p) {
      stream.write(
        `[${p.model} ${p.completed}/${p.total}] ${p.result.check_name} ${LABEL[p.result.status] ?? p.result.status}` +
          (p.error === undefined ? "" : ` (${p.error.cause})`) +
          "\n",
      );
    },
    stop() {},
  };
}

/** Bars on a terminal (unless `plain`), else a line per check. */
export function progressFor(
  stream: NodeJS.WriteStream,
  options: { plain: boolean },
  artifacts: CompiledArtifacts,
  models: readonly string[],
): Progress {
  return stream.isTTY && !options.plain ? bars(stream, artifacts, models) : lines(stream);
}
