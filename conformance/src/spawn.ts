// Starts a plugin process directly, with an environment the test chooses (a
// missing cookie, a foreign protocol version), and watches its raw stdout,
// stderr and exit: what the handshake and lifecycle groups observe.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAGIC_COOKIE_VALUE, PLUGIN_ENV } from "@floe/quality-sdk";

/** How to start a plugin: an executable, its arguments and its directory. */
export interface LaunchSpec {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The descriptor's start_timeout_seconds, in ms, when it declares one. */
  readonly startTimeoutMs?: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: string;
}

/** Most stdout the suite keeps; a plugin printing more is already broken. */
const STDOUT_LIMIT = 64 * 1024;
const STDERR_KEEP = 64 * 1024;

export interface RawPlugin {
  readonly child: ChildProcess;
  readonly socketDir: string;
  /** The first stdout line; rejects on exit, on timeout or when the line is too long. */
  firstLine(timeoutMs: number): Promise<string>;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** SIGKILL if still running, then remove the socket directory. */
  dispose(): Promise<void>;
}

/** The environment the host gives a plugin it spawns (docs/plugin-protocol.md). */
export function hostEnvironment(socketDir: string): Record<string, string> {
  return {
    [PLUGIN_ENV.magicCookie]: MAGIC_COOKIE_VALUE,
    [PLUGIN_ENV.protocolVersions]: "1",
    [PLUGIN_ENV.socketDir]: socketDir,
  };
}

/**
 * Spawns the plugin with the host's environment changed by `overrides` (a value
 * of undefined removes the variable).
 */
export function spawnRaw(
  spec: LaunchSpec,
  overrides: Record<string, string | undefined> = {},
): RawPlugin {
  const socketDir = mkdtempSync(join(tmpdir(), "floe-plugin-"));
  const env: NodeJS.ProcessEnv = { ...process.env, ...hostEnvironment(socketDir) };
  delete env[PLUGIN_ENV.listen];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let overflow = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    if (out.length < STDOUT_LIMIT) out += chunk.slice(0, STDOUT_LIMIT - out.length);
    else overflow = true;
    wake();
  });
  child.stderr?.on("data", (chunk: string) => {
    err = (err + chunk).slice(-STDERR_KEEP);
  });
  // A plugin that exits early closes the pipe; writes must not crash the suite.
  child.stdin?.on("error", () => undefined);
  const exited = new Promise<Exit>((resolve) => {
    child.on("error", (error) => resolve({ code: null, signal: null, spawnError: error.message }));
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  let exit: Exit | undefined;
  void exited.then((e) => {
    exit = e;
    wake();
  });

  return {
    child,
    socketDir,
    stdout: () => out,
    stderr: () => err,
    exited,
    firstLine(timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const newline = out.indexOf("\n");
          if (newline >= 0) return done(() => resolve(out.slice(0, newline)));
          if (overflow || out.length >= STDOUT_LIMIT)
            return done(() =>
              reject(
                new Error(
                  `the plugin wrote ${STDOUT_LIMIT} bytes to stdout without a newline; a handshake line is one short line`,
                ),
              ),
            );
          if (exit !== undefined)
            return done(() =>
              reject(new Error(`the plugin exited before its handshake (${describeExit(exit!)})`)),
            );
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no handshake line within ${timeoutMs / 1000} s`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

export function describeExit(exit: Exit): string {
  if (exit.spawnError !== undefined) return `could not start: ${exit.spawnError}`;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}

/** Resolves with the exit, or undefined when the process is still running after `ms`. */
export async function exitWithin(plugin: RawPlugin, ms: number): Promise<Exit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([plugin.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Splits a --plugin-cmd string into words, honouring single and double quotes. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < command.length) {
      current += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`unbalanced ${quote} quote in the plugin command`);
  if (inWord) words.push(current);
  return words;
}
