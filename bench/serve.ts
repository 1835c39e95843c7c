// The benches' `floe-quality serve`: a real process on a free loopback port,
// without authentication or lineage, stopped with SIGTERM.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = resolve(import.meta.dirname, "..");

export async function startServe(): Promise<{ address: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "host/dist/cli/main.js"), "serve", "--listen", "127.0.0.1:0", "--no-auth"],
    {
      env: { ...process.env, FLOE_LINEAGE_TRANSPORT: "none" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const address = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /listening on (\S+)$/.exec(line);
      if (match) done(match[1]!);
    });
    void exited.then(() => fail(new Error("serve exited before listening")));
  });
  return {
    address,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
