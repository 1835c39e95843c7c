// Plugin discovery: `floe-plugin.json` descriptors on FLOE_PLUGIN_PATH, in the
// workspace's plugins/* (and plugins/examples/*), then in node_modules/@floe/*,
// then beside the installed host itself (the node_modules/@floe it was installed
// into, so an installed CLI finds its plugins from any working directory).
// A bad descriptor is a diagnostic naming its file; discovery goes on.
import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FloeError } from "@floe/quality-sdk/errors";
import { z } from "zod";
import { type Diagnostic, diagnostic } from "../errors/index.js";

export const DESCRIPTOR_FILE = "floe-plugin.json";

const RUNTIMES = ["node", "python", "binary"] as const;
export type PluginRuntime = (typeof RUNTIMES)[number];

const descriptorSchema = z.object({
  name: z.string().min(1),
  type: z.literal("quality"),
  provider: z.string().min(1),
  version: z.string().min(1),
  description: z.string().default(""),
  runtime: z.enum(RUNTIMES),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  floe_api_version: z.string().min(1),
  /** How long this plugin may take from spawn to SERVING; the supervisor's default otherwise. */
  start_timeout_seconds: z.number().positive().max(600).optional(),
});

export interface PluginDescriptor {
  name: string;
  provider: string;
  version: string;
  description: string;
  runtime: PluginRuntime;
  /** As written in the descriptor. */
  command: string;
  args: string[];
  floeApiVersion: string;
  /** The descriptor's start_timeout_seconds in ms, when it sets one (slow imports such as GX). */
  startTimeoutMs?: number | undefined;
  /** Absolute path of the floe-plugin.json. */
  file: string;
  /** Where the descriptor was found: FLOE_PLUGIN_PATH, workspace, node_modules. */
  source: "FLOE_PLUGIN_PATH" | "workspace" | "node_modules";
}

export interface Discovery {
  plugins: PluginDescriptor[];
  /** Bad descriptors (errors) and duplicate providers (warnings). */
  problems: Diagnostic[];
}

export interface DiscoveryOptions {
  env?: NodeJS.ProcessEnv;
  /** The workspace whose plugins/ and node_modules/ are searched; `defaultWorkspaceRoot()` when absent. */
  workspaceRoot?: string;
}

/** Every descriptor found, in search order; the first one for a provider wins. */
export function discoverPlugins(options: DiscoveryOptions = {}): Discovery {
  const env = options.env ?? process.env;
  const root = options.workspaceRoot ?? defaultWorkspaceRoot();
  const candidates: Array<{ file: string; source: PluginDescriptor["source"] }> = [];
  for (const dir of (env.FLOE_PLUGIN_PATH ?? "").split(":").filter((d) => d !== "")) {
    for (const file of descriptorsIn(resolve(dir)))
      candidates.push({ file, source: "FLOE_PLUGIN_PATH" });
  }
  for (const dir of [join(root, "plugins"), join(root, "plugins", "examples")]) {
    for (const file of descriptorsBelow(dir)) candidates.push({ file, source: "workspace" });
  }
  for (const dir of [join(root, "node_modules", "@floe"), installedScope()]) {
    if (dir === undefined) continue;
    for (const file of descriptorsBelow(dir)) candidates.push({ file, source: "node_modules" });
  }

  const plugins: PluginDescriptor[] = [];
  const problems: Diagnostic[] = [];
  const seenFiles = new Set<string>();
  const byProvider = new Map<string, PluginDescriptor>();
  for (const { file, source } of candidates) {
    const real = realpathOrSelf(file);
    // node_modules/@floe/* links back into the workspace: the same file, not a duplicate.
    if (seenFiles.has(real)) continue;
    seenFiles.add(real);
    const loaded = loadDescriptor(real, source);
    if ("problem" in loaded) {
      problems.push(loaded.problem);
      continue;
    }
    const first = byProvider.get(loaded.provider);
    if (first !== undefined) {
      problems.push(
        diagnostic(
          "FLOE-DQ001",
          `provider '${loaded.provider}' is also declared by ${first.file}, which comes first in the search order; this descriptor is ignored`,
          {
            file: real,
            path: "provider",
            fix: "Remove one of the two plugins or give them different provider names.",
          },
          "warning",
        ),
      );
      continue;
    }
    byProvider.set(loaded.provider, loaded);
    plugins.push(loaded);
  }
  return { plugins, problems };
}

/** The descriptor for a provider, or FLOE-DQ001 listing the known providers. */
export function resolveProvider(discovery: Discovery, provider: string): PluginDescriptor {
  const found = discovery.plugins.find((p) => p.provider === provider);
  if (found !== undefined) return found;
  const known = discovery.plugins.map((p) => p.provider).sort();
  throw new FloeError(
    "FLOE-DQ001",
    `unknown quality provider '${provider}'; known providers: ${known.length === 0 ? "(none found)" : known.join(", ")}`,
    {
      path: "plugins.quality.provider",
      fix: "Use one of the known providers, or install the plugin / add its directory to FLOE_PLUGIN_PATH (floe-quality plugins list).",
    },
  );
}

/** The executable and arguments that start a plugin, per its runtime. */
export function launchCommand(
  descriptor: PluginDescriptor,
  env: NodeJS.ProcessEnv = process.env,
): { file: string; args: string[] } {
  const dir = dirname(descriptor.file);
  switch (descriptor.runtime) {
    case "node":
      return {
        file: process.execPath,
        args: [resolve(dir, descriptor.command), ...descriptor.args],
      };
    case "python": {
      const python = env.FLOE_PYTHON ?? nearestVenvPython(dir) ?? "python3";
      const head = descriptor.command.startsWith("-")
        ? descriptor.command.split(/\s+/)
        : [resolve(dir, descriptor.command)];
      return { file: python, args: [...head, ...descriptor.args] };
    }
    case "binary":
      return { file: resolve(dir, descriptor.command), args: descriptor.args };
  }
}

function loadDescriptor(
  file: string,
  source: PluginDescriptor["source"],
): PluginDescriptor | { problem: Diagnostic } {
  const problem = (message: string, path: string | undefined, fix: string) => ({
    problem: diagnostic("FLOE-DQ001", message, { file, path, fix }),
  });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return problem(
      `invalid plugin descriptor: not valid JSON (${(error as Error).message})`,
      undefined,
      "Fix the JSON syntax of the descriptor (docs/plugin-protocol.md, Descriptor).",
    );
  }
  const parsed = descriptorSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join(".");
    const present =
      typeof json === "object" && json !== null && Object.hasOwn(json, issue.path[0] ?? "");
    const what =
      path === "runtime" && present
        ? `unknown runtime ${JSON.stringify((json as { runtime: unknown }).runtime)}; expected one of ${RUNTIMES.join(", ")}`
        : present
          ? issue.message
          : "missing";
    return problem(
      `invalid plugin descriptor: ${path || "(root)"}: ${what}`,
      path || undefined,
      'Descriptors need name, type "quality", provider, version, runtime (node|python|binary), command and floe_api_version (docs/plugin-protocol.md).',
    );
  }
  const d = parsed.data;
  const dir = dirname(file);
  const commandPath =
    d.command.startsWith("-") && d.runtime === "python" ? undefined : resolve(dir, d.command);
  if (commandPath !== undefined) {
    if (!existsSync(commandPath) || !statSync(commandPath).isFile()) {
      return problem(
        `plugin command ${commandPath} does not exist`,
        "command",
        isAbsolute(d.command)
          ? "Install the plugin or correct the command path."
          : "The command is relative to the descriptor's directory; build the plugin or correct the path.",
      );
    }
    if (d.runtime === "binary" && !isExecutable(commandPath)) {
      return problem(
        `plugin command ${commandPath} is not executable`,
        "command",
        `Make it executable (chmod +x ${commandPath}) or use runtime node/python.`,
      );
    }
  }
  return {
    name: d.name,
    provider: d.provider,
    version: d.version,
    description: d.description,
    runtime: d.runtime,
    command: d.command,
    args: d.args,
    floeApiVersion: d.floe_api_version,
    startTimeoutMs:
      d.start_timeout_seconds === undefined ? undefined : d.start_timeout_seconds * 1000,
    file,
    source,
  };
}

/** `node_modules/@floe` when this host runs from an installed package, else undefined. */
function installedScope(): string | undefined {
  const scope = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
  return basename(scope) === "@floe" && basename(dirname(scope)) === "node_modules"
    ? scope
    : undefined;
}

function descriptorsIn(dir: string): string[] {
  const own = join(dir, DESCRIPTOR_FILE);
  return existsSync(own) ? [own, ...descriptorsBelow(dir)] : descriptorsBelow(dir);
}

function descriptorsBelow(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const file = join(dir, entry, DESCRIPTOR_FILE);
    if (existsSync(file)) files.push(file);
  }
  return files;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * The workspace of the working directory when there is one, else the one this
 * host is installed in (so `demo`, `run` and `plugins list` find floe_sql from any directory).
 */
export function defaultWorkspaceRoot(cwd: string = process.cwd()): string {
  const here = findWorkspaceRoot(cwd);
  if (existsSync(join(here, "package.json"))) return here;
  return findWorkspaceRoot(dirname(fileURLToPath(import.meta.url)));
}

/** The nearest directory at or above `from` whose package.json declares workspaces; else `from`. */
export function findWorkspaceRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ("workspaces" in JSON.parse(readFileSync(manifest, "utf8"))) return dir;
      } catch {
        // An unreadable package.json is not a workspace root; keep walking up.
      }
    }
    if (dirname(dir) === dir) return resolve(from);
  }
}

function nearestVenvPython(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const python = join(dir, ".venv", "bin", "python");
    if (existsSync(python)) return python;
    if (dirname(dir) === dir) return undefined;
  }
}
