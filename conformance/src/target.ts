// The plugin under test: found by provider name (discovery), given as a command
// line, or dialled at an address. Spawned and dialled plugins go through the
// host's own supervisor, so the suite starts them exactly as the host does.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { basename, delimiter, isAbsolute, join, resolve } from "node:path";
import {
  connectPlugin,
  discoverPlugins,
  launchCommand,
  type PluginDescriptor,
  type RunningPlugin,
  resolveProvider,
  startPlugin,
} from "@floe/quality-host";
import { FloeError } from "@floe/quality-sdk";
import { connectClients, type PluginClients } from "./rpc.js";
import { type LaunchSpec, splitCommand } from "./spawn.js";

export interface PluginSession {
  readonly running: RunningPlugin;
  /** Direct clients on the plugin's socket, for calls whose raw answer the tests judge. */
  readonly clients: PluginClients;
  /** Process id when the suite spawned the plugin. */
  pid(): number | undefined;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface PluginTarget {
  /** How the report names what was tested. */
  readonly description: string;
  /** Set when the suite starts the process itself (provider or command). */
  readonly launch: LaunchSpec | undefined;
  start(): Promise<PluginSession>;
}

export type TargetOptions =
  | { kind: "provider"; provider: string }
  | { kind: "command"; command: string }
  | { kind: "address"; address: string; insecure: boolean };

const START = { startTimeoutMs: 10_000, healthTimeoutMs: 5_000 } as const;

/** A plugin that could not be found or started; the CLI prints the message and exits 1. */
export class TargetError extends FloeError {}

export function resolveTarget(options: TargetOptions, logs: string[]): PluginTarget {
  switch (options.kind) {
    case "provider": {
      const descriptor = resolveProvider(discoverPlugins(), options.provider);
      const { file, args } = launchCommand(descriptor);
      return spawnedTarget(
        descriptor,
        { name: descriptor.provider, file, args, startTimeoutMs: descriptor.startTimeoutMs },
        logs,
      );
    }
    case "command": {
      const [command, ...args] = splitCommand(options.command);
      if (command === undefined) {
        throw new TargetError("FLOE-DQ001", "--plugin-cmd is empty", {
          fix: 'Give the command that starts the plugin, e.g. --plugin-cmd "node plugin.mjs".',
        });
      }
      const file = findExecutable(command);
      const descriptor: PluginDescriptor = {
        name: basename(command),
        provider: basename(command),
        version: "0.0.0",
        description: options.command,
        runtime: "binary",
        command: file,
        args,
        floeApiVersion: "1.0.0",
        file: join(process.cwd(), "floe-plugin.json"),
        source: "FLOE_PLUGIN_PATH",
      };
      return spawnedTarget(descriptor, { name: command, file, args }, logs);
    }
    case "address":
      return dialledTarget(options.address, options.insecure);
  }
}

/** The absolute path of an executable named on the command line, or a FLOE-DQ001 error. */
export function findExecutable(command: string): string {
  const candidates =
    command.includes("/") || isAbsolute(command)
      ? [resolve(command)]
      : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    if (!existsSync(candidate) || !statSync(candidate).isFile()) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      throw new TargetError("FLOE-DQ001", `plugin command '${command}' is not executable`, {
        fix: `chmod +x ${candidate}, or start it through its interpreter (e.g. "node ${command}").`,
      });
    }
  }
  throw new TargetError("FLOE-DQ001", `plugin command '${command}' was not found`, {
    fix: "Check the spelling, give a path, or put the plugin's directory on PATH.",
  });
}

function spawnedTarget(
  descriptor: PluginDescriptor,
  launch: LaunchSpec,
  logs: string[],
): PluginTarget {
  return {
    description: `${launch.file} ${launch.args.join(" ")}`.trim(),
    launch,
    async start() {
      const running = await startPlugin(descriptor, {
        ...START,
        // A plugin that declares a longer start (start_timeout_seconds) gets it, as from the host.
        startTimeoutMs: Math.max(START.startTimeoutMs, descriptor.startTimeoutMs ?? 0),
        restart: { maxRestarts: 0 },
        onLog: (entry) => keepLog(logs, `${entry.level}: ${entry.msg}`),
      });
      const dir = running.socketDir();
      return session(running, connectClients(`unix:${dir}/plugin.sock`));
    },
  };
}

function dialledTarget(address: string, insecure: boolean): PluginTarget {
  return {
    description: address,
    launch: undefined,
    async start() {
      const running = await connectPlugin({
        name: address,
        address,
        insecure,
        healthTimeoutMs: START.healthTimeoutMs,
      });
      const target = address.startsWith("unix://") ? `unix:${address.slice(7)}` : address;
      return session(running, connectClients(target));
    },
  };
}

function session(running: RunningPlugin, clients: PluginClients): PluginSession {
  return {
    running,
    clients,
    pid: () => running.pid(),
    alive: () => running.state() === "serving",
    async stop() {
      clients.close();
      await running.stop();
    },
  };
}

const LOG_KEEP = 200;

function keepLog(logs: string[], line: string): void {
  logs.push(line);
  if (logs.length > LOG_KEEP) logs.splice(0, logs.length - LOG_KEEP);
}
