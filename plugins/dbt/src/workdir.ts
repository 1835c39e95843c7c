// The plugin-owned dbt project on disk. A project directory appears whole or
// not at all (built in a temporary directory, then renamed into place), and
// every later file is written to a temporary name and renamed, so an
// interrupted write never leaves a project dbt cannot parse.
import { createHash, randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_NAME, type ProjectFiles } from "./project.js";

/** The package's source, shipped beside dist/. */
export const PACKAGE_SOURCE = fileURLToPath(
  new URL(`../dbt_packages_src/${PACKAGE_NAME}`, import.meta.url),
);

/**
 * Where projects live: FLOE_DBT_WORKDIR, else floe-dbt-<uid> under the OS temp
 * directory (per user: the directory is private, 0700).
 */
export function workRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLOE_DBT_WORKDIR || join(tmpdir(), `floe-dbt-${process.getuid?.() ?? "user"}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

/** Hash of the package's files: a changed package gets a fresh project. */
export function packageHash(source: string = PACKAGE_SOURCE): string {
  const hash = createHash("sha256");
  for (const file of filesUnder(source)) {
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(join(source, file)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

/** Writes `content` to `path` through a temporary file and a rename; unchanged files are left alone (partial parsing keys on them). */
export function writeFileAtomic(path: string, content: string): boolean {
  if (existsSync(path) && readFileSync(path, "utf8") === content) return false;
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, content, { mode: 0o600 });
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  return true;
}

/**
 * The project directory for `key`, created whole if missing: the fixed files and
 * the package copied into dbt_packages/ (a local package needs no `dbt deps`).
 */
export function ensureProject(dir: string, files: ProjectFiles): string {
  const root = dirname(dir);
  const key = basename(dir);
  if (!existsSync(join(dir, "dbt_project.yml"))) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const staging = join(root, `.${key}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      mkdirSync(join(staging, "models", "floe"), { recursive: true, mode: 0o700 });
      for (const [name, content] of Object.entries(files)) {
        writeFileSync(join(staging, name), content, { mode: 0o600 });
      }
      cpSync(PACKAGE_SOURCE, join(staging, "dbt_packages", PACKAGE_NAME), { recursive: true });
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    } catch (error) {
      // Another run may have created the same project meanwhile; theirs is as good.
      if (!existsSync(join(dir, "dbt_project.yml"))) throw error;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  for (const [name, content] of Object.entries(files)) writeFileAtomic(join(dir, name), content);
  return dir;
}
