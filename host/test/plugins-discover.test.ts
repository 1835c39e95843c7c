import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FloeError } from "@floe/quality-sdk";
import { describe, expect, it } from "vitest";
import { discoverPlugins, launchCommand, resolveProvider } from "../src/plugins/index.js";
import { tempDir } from "./plugins-support.js";

function descriptor(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "p",
    type: "quality",
    provider: "p",
    version: "1.2.3",
    description: "a plugin",
    runtime: "node",
    command: "main.js",
    args: ["--fast"],
    floe_api_version: "1.0.0",
    ...fields,
  };
}

/** A directory holding one subdirectory per plugin: name → descriptor text, plus its command file. */
function pluginDir(
  plugins: Record<string, string | Record<string, unknown>>,
  executable = true,
): string {
  const root = tempDir("discover");
  for (const [name, content] of Object.entries(plugins)) {
    mkdirSync(join(root, name));
    writeFileSync(
      join(root, name, "floe-plugin.json"),
      typeof content === "string" ? content : JSON.stringify(content),
    );
    for (const command of ["main.js", "plugin-bin"]) {
      writeFileSync(join(root, name, command), "");
      chmodSync(join(root, name, command), executable ? 0o755 : 0o644);
    }
  }
  return root;
}

const emptyWorkspace = () => tempDir("workspace");

describe("plugin discovery", () => {
  it("reads every descriptor on FLOE_PLUGIN_PATH with its fields", () => {
    const dir = pluginDir({
      alpha: descriptor({ provider: "alpha" }),
      beta: descriptor({ provider: "beta", start_timeout_seconds: 60 }),
    });
    const found = discoverPlugins({
      env: { FLOE_PLUGIN_PATH: dir },
      workspaceRoot: emptyWorkspace(),
    });
    expect(found.problems).toEqual([]);
    expect(found.plugins.map((p) => p.provider)).toEqual(["alpha", "beta"]);
    expect(found.plugins[0]).toEqual({
      name: "p",
      provider: "alpha",
      version: "1.2.3",
      description: "a plugin",
      runtime: "node",
      command: "main.js",
      args: ["--fast"],
      floeApiVersion: "1.0.0",
      file: join(dir, "alpha", "floe-plugin.json"),
      source: "FLOE_PLUGIN_PATH",
    });
    expect(found.plugins.map((p) => p.startTimeoutMs)).toEqual([undefined, 60_000]);
  });

  it("reports each bad descriptor naming its file, and goes on with the others", () => {
    const dir = pluginDir({
      a_missing_command: descriptor({ provider: "a", command: undefined }),
      b_not_json: "{ name: ",
      c_unknown_runtime: descriptor({ provider: "c", runtime: "ruby" }),
      d_absent_command: descriptor({ provider: "d", command: "dist/main.js" }),
      e_good: descriptor({ provider: "e" }),
    });
    const found = discoverPlugins({
      env: { FLOE_PLUGIN_PATH: dir },
      workspaceRoot: emptyWorkspace(),
    });
    expect(found.plugins.map((p) => p.provider)).toEqual(["e"]);
    expect(found.problems.map((p) => [p.code, p.level, p.file, p.path, p.message])).toEqual([
      [
        "FLOE-DQ001",
        "error",
        join(dir, "a_missing_command/floe-plugin.json"),
        "command",
        "invalid plugin descriptor: command: missing",
      ],
      [
        "FLOE-DQ001",
        "error",
        join(dir, "b_not_json/floe-plugin.json"),
        undefined,
        expect.stringMatching(/^invalid plugin descriptor: not valid JSON \(/),
      ],
      [
        "FLOE-DQ001",
        "error",
        join(dir, "c_unknown_runtime/floe-plugin.json"),
        "runtime",
        'invalid plugin descriptor: runtime: unknown runtime "ruby"; expected one of node, python, binary',
      ],
      [
        "FLOE-DQ001",
        "error",
        join(dir, "d_absent_command/floe-plugin.json"),
        "command",
        `plugin command ${join(dir, "d_absent_command/dist/main.js")} does not exist`,
      ],
    ]);
  });

  it("reports a binary plugin whose command is not executable", () => {
    const dir = pluginDir(
      { bin: descriptor({ provider: "bin", runtime: "binary", command: "plugin-bin" }) },
      false,
    );
    const found = discoverPlugins({
      env: { FLOE_PLUGIN_PATH: dir },
      workspaceRoot: emptyWorkspace(),
    });
    expect(found.plugins).toEqual([]);
    expect(found.problems.map((p) => [p.file, p.message, p.fix])).toEqual([
      [
        join(dir, "bin/floe-plugin.json"),
        `plugin command ${join(dir, "bin/plugin-bin")} is not executable`,
        `Make it executable (chmod +x ${join(dir, "bin/plugin-bin")}) or use runtime node/python.`,
      ],
    ]);
  });

  it("lets the first descriptor of a provider win, with a warning for the later one", () => {
    const first = pluginDir({ x: descriptor({ provider: "dup", version: "1.0.0" }) });
    const second = pluginDir({ x: descriptor({ provider: "dup", version: "2.0.0" }) });
    const found = discoverPlugins({
      env: { FLOE_PLUGIN_PATH: `${first}:${second}` },
      workspaceRoot: emptyWorkspace(),
    });
    expect(found.plugins.map((p) => [p.provider, p.version])).toEqual([["dup", "1.0.0"]]);
    expect(found.problems.map((p) => [p.level, p.file, p.message])).toEqual([
      [
        "warning",
        join(second, "x/floe-plugin.json"),
        `provider 'dup' is also declared by ${join(first, "x/floe-plugin.json")}, which comes first in the search order; this descriptor is ignored`,
      ],
    ]);
  });

  it("searches FLOE_PLUGIN_PATH, then the workspace's plugins/* and plugins/examples/*, then node_modules/@floe/*", () => {
    const workspace = emptyWorkspace();
    const inPath = pluginDir({ a: descriptor({ provider: "from_path" }) });
    for (const [sub, provider] of [
      ["plugins/sql", "from_plugins"],
      ["plugins/examples/go", "from_examples"],
      ["node_modules/@floe/quality-plugin-x", "from_node_modules"],
    ] as const) {
      mkdirSync(join(workspace, sub), { recursive: true });
      writeFileSync(
        join(workspace, sub, "floe-plugin.json"),
        JSON.stringify(descriptor({ provider })),
      );
      writeFileSync(join(workspace, sub, "main.js"), "");
    }
    const found = discoverPlugins({ env: { FLOE_PLUGIN_PATH: inPath }, workspaceRoot: workspace });
    expect(found.plugins.map((p) => [p.provider, p.source])).toEqual([
      ["from_path", "FLOE_PLUGIN_PATH"],
      ["from_plugins", "workspace"],
      ["from_examples", "workspace"],
      ["from_node_modules", "node_modules"],
    ]);
  });

  it("resolves a provider, or fails with FLOE-DQ001 listing the known providers", () => {
    const dir = pluginDir({
      b: descriptor({ provider: "beta" }),
      a: descriptor({ provider: "alpha" }),
    });
    const found = discoverPlugins({
      env: { FLOE_PLUGIN_PATH: dir },
      workspaceRoot: emptyWorkspace(),
    });
    expect(resolveProvider(found, "beta").provider).toBe("beta");
    const error = (() => {
      try {
        resolveProvider(found, "gamma");
      } catch (e) {
        return e as FloeError;
      }
    })();
    expect(error).toBeInstanceOf(FloeError);
    expect(error?.code).toBe("FLOE-DQ001");
    expect(error?.message).toBe("unknown quality provider 'gamma'; known providers: alpha, beta");
  });

  it("runs node plugins with this Node, python plugins with FLOE_PYTHON or the nearest .venv, binaries directly", () => {
    const dir = pluginDir({
      n: descriptor({ provider: "n" }),
      py: descriptor({ provider: "py", runtime: "python", command: "-m", args: ["floe_echo"] }),
      bin: descriptor({ provider: "bin", runtime: "binary", command: "plugin-bin", args: [] }),
    });
    mkdirSync(join(dir, ".venv/bin"), { recursive: true });
    writeFileSync(join(dir, ".venv/bin/python"), "");
    const found = discoverPlugins({
      env: { FLOE_PLUGIN_PATH: dir },
      workspaceRoot: emptyWorkspace(),
    });
    const byProvider = (p: string) => found.plugins.find((d) => d.provider === p)!;
    expect(launchCommand(byProvider("n"), {})).toEqual({
      file: process.execPath,
      args: [join(dir, "n/main.js"), "--fast"],
    });
    expect(launchCommand(byProvider("py"), {})).toEqual({
      file: join(dir, ".venv/bin/python"),
      args: ["-m", "floe_echo"],
    });
    expect(launchCommand(byProvider("py"), { FLOE_PYTHON: "/opt/py/bin/python3" }).file).toBe(
      "/opt/py/bin/python3",
    );
    expect(launchCommand(byProvider("bin"), {})).toEqual({
      file: join(dir, "bin/plugin-bin"),
      args: [],
    });
  });
});
