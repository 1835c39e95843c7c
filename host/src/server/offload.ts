// Compile and artifact parsing for the server, on a worker thread (piscina):
// a request of many megabytes or thousands of models costs the worker time,
// never the event loop, so health checks and other calls stay answered.
import { FloeError } from "@floe/quality-sdk";
import { Piscina } from "piscina";
import type { CompiledArtifacts } from "../compile/artifacts.js";
import type { CompileInput, CompileResult } from "../compile/compile.js";
import { builtWorkerFile } from "../scoring/pool.js";
import type { OffloadError, OffloadTask } from "./offload-worker.js";

export class OffloadPool {
  private pool: Piscina | undefined;

  constructor(private readonly maxThreads = 1) {}

  private async run(task: OffloadTask): Promise<unknown> {
    this.pool ??= new Piscina({
      filename: builtWorkerFile("server/offload-worker.js"),
      minThreads: 0,
      maxThreads: this.maxThreads,
      idleTimeout: 30_000,
    });
    const outcome: { value: unknown } | { error: OffloadError } = await this.pool.run(task);
    if ("error" in outcome) {
      const { code, message, ...where } = outcome.error;
      throw new FloeError(code, message, where);
    }
    return outcome.value;
  }

  compile(input: CompileInput): Promise<CompileResult> {
    return this.run({ kind: "compile", input }) as Promise<CompileResult>;
  }

  parseArtifacts(text: string, file: string): Promise<CompiledArtifacts> {
    return this.run({ kind: "artifacts", text, file }) as Promise<CompiledArtifacts>;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}
