// Finding the dbt executable: FLOE_DBT, else the project's virtual environment
// (.venv or .venv-dbt, walking up from the plugin), else `dbt` on PATH.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const VENV_NAMES = [".venv", ".venv-dbt"];

export function findDbtExecutable(
  env: NodeJS.ProcessEnv = process.env,
  from: string = dirname(fileURLToPath(import.meta.url)),
): string {
  if (env.FLOE_DBT) return env.FLOE_DBT;
  let dir = from;
  for (;;) {
    for (const venv of VENV_NAMES) {
      const candidate = join(dir, venv, "bin", "dbt");
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return "dbt";
    dir = parent;
  }
}
