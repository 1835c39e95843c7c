// Launching a plugin process: a private 0700 socket directory, the handshake
// environment (magic cookie, protocol versions, socket directory, log level;
// never a listen address of ours), stdin kept open so the plugin sees EOF when
// the host dies, and the one handshake line read from stdout within the start
// timeout.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { LogLevel } from "@floe/quality-sdk";
import { FloeError } from "@floe/quality-sdk/errors";
import {
  APP_PROTOCOL_VERSIONS,
  MAGIC_COOKIE_VALUE,
  ENV as PLUGIN_ENV,
} from "@floe/quality-sdk/protocol";
import { launchCommand, type PluginDescriptor } from "./discover.js";
import type { Connection } from "./health.js";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One process of a plugin. */
export interface Instance {
  child: ChildProcess;
  dir: string;
  connection: Connection | undefined;
  exited: Promise<ExitInfo>;
  exit: ExitInfo | undefined;
  /** Why the command could not be run at all (ENOENT, EACCES). */
  spawnError: Error | undefined;
}

/** The process exited (or crashed) while starting: the supervisor may try again. */
export class CrashedDuringStart extends FloeError {}

/** The environment a plugin process starts with: ours, the extras, and the handshake variables. */
export function pluginEnvironment(
  extra: NodeJS.ProcessEnv | undefined,
  socketDir: string,
  logLevel: LogLevel | undefined,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env[PLUGIN_ENV.listen];
  Object.assign(env, {
    [PLUGIN_ENV.magicCookie]: MAGIC_COOKIE_VALUE,
    [PLUGIN_ENV.protocolVersions]: APP_PROTOCOL_VERSIONS.join(","),
    [PLUGIN_ENV.socketDir]: socketDir,
    [PLUGIN_ENV.logLevel]: logLevel ?? env[PLUGIN_ENV.logLevel] ?? "info",
  });
  return env;
}

/**
 * Processes started ahead of need (`prestartInstance`), by what they were started
 * with: descriptor, extra environment and log level.
 */
const prestarted = new Map<string, Instance>();

function launchKey(
  descriptor: PluginDescriptor,
  extra: NodeJS.ProcessEnv | undefined,
  logLevel: LogLevel | undefined,
): string {
  const env = Object.entries(extra ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([descriptor.file, env, logLevel ?? null]);
}

/**
 * Starts the descriptor's process now, for a `spawnInstance` with the same
 * descriptor, extra environment and log level to take over later: the CLI
 * starts the run's plugin before it loads the rest of the host, so the plugin's
 * start-up overlaps the host's. A process nobody takes is ended by
 * `discardPrestarted`.
 */
export function prestartInstance(
  descriptor: PluginDescriptor,
  extra: NodeJS.ProcessEnv | undefined,
  logLevel: LogLevel | undefined,
): Instance {
  const key = launchKey(descriptor, extra, logLevel);
  let instance = prestarted.get(key);
  if (instance === undefined) {
    instance = newInstance(descriptor, extra, logLevel);
    prestarted.set(key, instance);
  }
  return instance;
}

/** Ends every prestarted process no supervisor took (closes its stdin, SIGTERM, removes its directory). */
export function discardPrestarted(): void {
  for (const instance of prestarted.values()) {
    instance.child.stdin?.end();
    if (instance.exit === undefined) instance.child.kill("SIGTERM");
    rmSync(instance.dir, { recursive: true, force: true });
  }
  prestarted.clear();
}

/**
 * A process of the descriptor in a fresh private socket directory: the one
 * prestarted with the same settings when it is still running, else a new one.
 */
export function spawnInstance(
  descriptor: PluginDescriptor,
  extra: NodeJS.ProcessEnv | undefined,
  logLevel: LogLevel | undefined,
): Instance {
  const key = launchKey(descriptor, extra, logLevel);
  const early = prestarted.get(key);
  if (early !== undefined) {
    prestarted.delete(key);
    if (early.exit === undefined) return early;
    rmSync(early.dir, { recursive: true, force: true });
  }
  return newInstance(descriptor, extra, logLevel);
}

function newInstance(
  descriptor: PluginDescriptor,
  extra: NodeJS.ProcessEnv | undefined,
  logLevel: LogLevel | undefined,
): Instance {
  const dir = mkdtempSync(join(tmpdir(), "floe-plugin-"));
  chmodSync(dir, 0o700);
  const { file, args } = launchCommand(descriptor, { ...process.env, ...extra });
  const child = spawn(file, args, {
    env: pluginEnvironment(extra, dir, logLevel),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const instance: Instance = {
    child,
    dir,
    connection: undefined,
    exit: undefined,
    spawnError: undefined,
    exited: new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => {
        instance.exit = { code, signal };
        resolve(instance.exit);
      });
      child.once("error", (error) => {
        instance.spawnError = error;
        instance.exit = { code: 127, signal: null };
        resolve(instance.exit);
      });
    }),
  };
  // The plugin exits when this pipe closes, i.e. when the host dies.
  child.stdin?.on("error", () => undefined);
  return instance;
}

/** What the handshake wait says when it fails. */
export interface HandshakeWait {
  name: string;
  descriptor: PluginDescriptor;
  extraEnv: NodeJS.ProcessEnv | undefined;
  /** Milliseconds left for the handshake line. */
  remainingMs: number;
  timeoutMs: number;
  tailText: () => string;
  exitMessage: (exit: ExitInfo, when: string) => string;
}

/** The first stdout line, or an error: no line in time, not startable, or exited first. */
export function firstStdoutLine(instance: Instance, wait: HandshakeWait): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: instance.child.stdout! });
    const timer = setTimeout(
      () => {
        lines.close();
        reject(
          new FloeError(
            "FLOE-DQ001",
            `plugin ${wait.name} printed no handshake line within ${wait.timeoutMs} ms${wait.tailText()}`,
            {
              fix: "The plugin must print CORE|APP|NETWORK|ADDRESS|grpc on stdout once it listens (docs/plugin-protocol.md); raise the start timeout if it is just slow.",
            },
          ),
        );
      },
      Math.max(0, wait.remainingMs),
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
    instance.exited.then((exit) => {
      clearTimeout(timer);
      if (instance.spawnError !== undefined) {
        const { file } = launchCommand(wait.descriptor, { ...process.env, ...wait.extraEnv });
        return reject(
          new FloeError(
            "FLOE-DQ001",
            `plugin ${wait.name} could not be started: ${file}: ${instance.spawnError.message}`,
            {
              file: wait.descriptor.file,
              path: "command",
              fix: "Install the plugin's runtime (Node, Python: set FLOE_PYTHON) or correct the descriptor's command.",
            },
          ),
        );
      }
      reject(
        new CrashedDuringStart("FLOE-DQ001", wait.exitMessage(exit, "before its handshake line")),
      );
    });
  });
}
