import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { FIXTURE_PLUGINS, isAlive, waitUntil } from "./plugins-support.js";

describe("when the host dies", () => {
  it("a plugin started by a host killed with SIGKILL is gone 2 s later (stdin EOF), with its socket directory", async () => {
    const host = spawn(
      process.execPath,
      [join(import.meta.dirname, "fixtures/plugin-host.mjs"), FIXTURE_PLUGINS],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: host.stdout! }).once("line", resolve);
      host.once("exit", (code) =>
        reject(new Error(`host exited with ${code} before starting the plugin`)),
      );
    });
    const [pid, socketDir] = line.split(" ");
    const pluginPid = Number(pid);
    expect(isAlive(pluginPid)).toBe(true);

    host.kill("SIGKILL");
    await waitUntil(() => !isAlive(pluginPid), 2_000, `plugin pid ${pluginPid} to exit`);
    expect(isAlive(pluginPid)).toBe(false);
    // With the host gone, the plugin removed its socket and the empty private directory.
    expect(existsSync(socketDir!)).toBe(false);
  });
});
