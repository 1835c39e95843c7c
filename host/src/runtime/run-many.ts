// Several models in one run: each through runModelQuality, at most `threads` at
// once, results in the order the models were given. A model that cannot even
// start (an unset secret) is reported for that model; the others still run.
import { FloeError } from "../errors/index.js";
import {
  type QualityRunOutcome,
  type RunDeps,
  type RunModelInput,
  runModelQuality,
} from "./run.js";

export interface ModelRun {
  model: string;
  outcome?: QualityRunOutcome | undefined;
  /** A configuration error that kept the model from running (exit 2). */
  failure?: FloeError | undefined;
}

export async function runModels(
  models: readonly string[],
  input: Omit<RunModelInput, "model">,
  deps: RunDeps,
  threads: number,
): Promise<ModelRun[]> {
  const runs: ModelRun[] = models.map((model) => ({ model }));
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      const run = runs[index];
      if (run === undefined) return;
      try {
        run.outcome = await runModelQuality({ ...input, model: run.model }, deps);
      } catch (error) {
        if (!(error instanceof FloeError)) throw error;
        run.failure = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, models.length)) }, worker));
  return runs;
}
