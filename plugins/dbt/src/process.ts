// Running `dbt test` as a child process. dbt is started in its own process
// group so that a deadline or a dying plugin can kill it together with
// anything it started; the plugin never leaves a dbt process behind.
import { type ChildProcess, spawn } from "node:child_process";

export interface DbtInvocation {
  readonly executable: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
}

export interface DbtOutcome {
  /** null when the process was killed. */
  readonly exitCode: number | null;
  /** dbt's structured log lines (`--log-format json`). */
  readonly events: readonly DbtLogEvent[];
  /** Lines that were not JSON (tracebacks, messages printed before logging starts). */
  readonly rawOutput: string;
  /** True when the signal fired and the process group was killed. */
  readonly aborted: boolean;
}

export interface DbtLogEvent {
  readonly name: string;
  readonly level: string;
  readonly msg: string;
  readonly data: Record<string, unknown>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}

process.once("exit", () => {
  for (const child of running) killGroup(child);
});

function parseLine(line: string): DbtLogEvent | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(line) as {
      info?: { name?: string; level?: string; msg?: string };
      data?: Record<string, unknown>;
    };
    return {
      name: parsed.info?.name ?? "",
      level: parsed.info?.level ?? "",
      msg: parsed.info?.msg ?? "",
      data: parsed.data ?? {},
    };
  } catch {
    return undefined;
  }
}

/** Runs dbt to completion, or kills its whole process group when `signal` fires. */
export function runDbt(
  invocation: DbtInvocation,
  onEvent?: (event: DbtLogEvent) => void,
): Promise<DbtOutcome> {
  return new Promise((resolve, reject) => {
    if (invocation.signal.aborted) {
      resolve({ exitCode: null, events: [], rawOutput: "", aborted: true });
      return;
    }
    const child = spawn(invocation.executable, [...invocation.args], {
      cwd: invocation.cwd,
      env: invocation.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    const events: DbtLogEvent[] = [];
    const raw: string[] = [];
    let pending = "";
    const take = (chunk: string, flush = false) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = flush ? "" : (lines.pop() ?? "");
      for (const line of lines) {
        if (line.trim() === "") continue;
        const event = parseLine(line);
        if (event) {
          events.push(event);
          onEvent?.(event);
        } else raw.push(line);
      }
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => take(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => raw.push(chunk.trimEnd()));
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      killGroup(child);
    };
    invocation.signal.addEventListener("abort", onAbort, { once: true });
    child.once("error", (error: NodeJS.ErrnoException) => {
      running.delete(child);
      invocation.signal.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.once("close", (code) => {
      running.delete(child);
      invocation.signal.removeEventListener("abort", onAbort);
      // dbt may have started helpers in its group; none may outlive it.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // No process left in the group.
      }
      take("", true);
      resolve({ exitCode: aborted ? null : code, events, rawOutput: raw.join("\n"), aborted });
    });
  });
}
