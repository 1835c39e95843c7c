// Which compiled artifacts a RunQualityChecks request runs, under the host's
// trust policy (docs/host.md, "Trust model"):
//   - by default a request names a model of the artifacts the host was started
//     with (`serve --artifacts FILE|DIR`), or one of those files by its path;
//   - caller-supplied artifacts (artifacts_json, or an artifacts_path the host
//     did not load) are refused unless the operator gave `--caller-artifacts DIR`;
//     then paths stay inside DIR, files are size-capped, `${env:…}` is resolved
//     only for names on the operator's allow-list (`--caller-env NAME`), and a
//     DuckDB file must lie inside DIR too.
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { FloeError } from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import type { CompiledArtifacts } from "../compile/artifacts.js";
import { formatBytes } from "../config/limits.js";
import { parseArtifactsJson } from "../runtime/artifacts.js";
import { envReferenceOf } from "../runtime/connection.js";
import { HostRefusal } from "./limits.js";

export interface CallerArtifactsPolicy {
  /** Caller artifacts are accepted only when set; their paths (and DuckDB files) stay inside it. */
  dir?: string | undefined;
  /** Bytes of one caller-supplied artifacts document. */
  maxBytes: number;
  /** Variables `${env:NAME}` in caller artifacts may name; every other reference is refused. */
  envAllowList: readonly string[];
}

export const DEFAULT_CALLER_ARTIFACTS_MAX_BYTES = 4 * 1024 * 1024;

/** Artifacts a request runs, and what the run may use of the host's environment. */
export interface ResolvedArtifacts {
  artifacts: CompiledArtifacts;
  /** `env` for the run: the host's for host-loaded artifacts, the allow-listed part for a caller's. */
  env: NodeJS.ProcessEnv;
  /** Relative DuckDB paths resolve from here. */
  cwd: string;
  callerSupplied: boolean;
}

interface Loaded {
  file: string;
  artifacts: CompiledArtifacts;
}

const OPERATOR_FIX =
  "Name a model of the artifacts the host was started with (serve --artifacts), or ask the operator to accept caller artifacts (serve --caller-artifacts DIR).";

/** The artifacts `serve --artifacts FILE|DIR` loaded at start: every `*.json` of DIR, or FILE. */
export class HostArtifacts {
  private constructor(
    private readonly loaded: readonly Loaded[],
    /** Directories given: request paths may be relative to them. */
    private readonly roots: readonly string[],
  ) {}

  static none(): HostArtifacts {
    return new HostArtifacts([], []);
  }

  /** Reads and validates each FILE or DIR; a bad file is a FloeError naming it (serve exits 2). */
  static async load(paths: readonly string[], cwd: string = process.cwd()): Promise<HostArtifacts> {
    const loaded: Loaded[] = [];
    const roots: string[] = [];
    for (const path of paths) {
      const root = resolve(cwd, path);
      let files: string[];
      try {
        const info = await stat(root);
        if (info.isDirectory()) roots.push(root);
        files = info.isDirectory()
          ? (await readdir(root))
              // A ConfigMap volume also holds `..data` links and dot directories.
              .filter((name) => name.endsWith(".json") && !name.startsWith("."))
              .sort()
              .map((name) => join(root, name))
          : [root];
      } catch (error) {
        throw new FloeError(
          "FLOE-DQ100",
          `cannot read the compiled artifacts (${(error as NodeJS.ErrnoException).code ?? error})`,
          { file: path, fix: "Give compiled_artifacts.json or a directory of them." },
        );
      }
      if (files.length === 0) {
        throw new FloeError("FLOE-DQ100", "the directory holds no compiled artifacts (*.json)", {
          file: path,
          fix: "Write compiled artifacts there (floe-quality compile --out DIR/NAME.json).",
        });
      }
      for (const file of files) {
        loaded.push({ file, artifacts: parseArtifactsJson(await readFile(file, "utf8"), file) });
      }
    }
    return new HostArtifacts(loaded, roots);
  }

  get size(): number {
    return this.loaded.length;
  }

  /** The loaded file a request path names: as given at start, absolute, or relative to the directory. */
  byPath(path: string, cwd: string): CompiledArtifacts | undefined {
    const candidates = [resolve(cwd, path), ...this.roots.map((root) => resolve(root, path))];
    return this.loaded.find((l) => candidates.includes(l.file))?.artifacts;
  }

  /** The artifacts that hold `model`; FLOE-DQ100 when none or several do. */
  byModel(model: string): CompiledArtifacts {
    if (this.loaded.length === 0) {
      throw new FloeError(
        "FLOE-DQ100",
        "the request names no artifacts and the host was started without --artifacts",
        { path: "artifacts_path", fix: OPERATOR_FIX },
      );
    }
    const holding = this.loaded.filter((l) => l.artifacts.models.some((m) => m.name === model));
    if (holding.length === 1) return holding[0]!.artifacts;
    if (holding.length > 1) {
      throw new FloeError(
        "FLOE-DQ100",
        `model '${model}' is in several loaded artifacts (${holding.map((l) => basename(l.file)).join(", ")})`,
        { path: "artifacts_path", fix: "Name the artifacts file in artifacts_path." },
      );
    }
    const known = this.loaded.flatMap((l) => l.artifacts.models.map((m) => m.name));
    throw new FloeError(
      "FLOE-DQ100",
      `model '${model}' is not in the compiled artifacts the host loaded (models: ${known.join(", ") || "none"})`,
      {
        path: "model_name",
        fix: "Name one of the compiled models, or compile the model and restart the host with it.",
      },
    );
  }
}

function refuse(message: string, path: string, fix = OPERATOR_FIX): HostRefusal {
  return new HostRefusal(status.PERMISSION_DENIED, message, { path, fix });
}

/** `target` when it lies inside `dir` (both absolute, symlinks resolved by the caller). */
function inside(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The real path of `path` inside `dir`, or a refusal that does not say whether
 * the path exists (the same message for missing and outside).
 */
async function confined(dir: string, path: string, field: string): Promise<string> {
  const root = await realpath(dir);
  const wanted = resolve(root, path);
  const outside = () =>
    refuse(
      `${field} must name a file inside the caller artifacts directory`,
      field,
      `Place the file in the directory the operator gave with serve --caller-artifacts and name it relative to it.`,
    );
  if (!inside(root, wanted)) throw outside();
  let real: string;
  try {
    real = await realpath(wanted);
  } catch {
    throw outside();
  }
  if (!inside(root, real)) throw outside();
  return real;
}

/** Parses caller JSON off the event loop when a parser is given. */
export type ArtifactsParser = (text: string, file: string) => Promise<CompiledArtifacts>;

const parseInline: ArtifactsParser = async (text, file) => parseArtifactsJson(text, file);

/**
 * The artifacts of a request: host-loaded ones by model or path, else caller
 * ones under the policy. Never reads a path outside the caller directory, and
 * never answers differently for a path that exists and one that does not.
 */
export async function resolveRequestArtifacts(
  request: { artifactsPath: string; artifactsJson: string; modelName: string },
  host: HostArtifacts,
  policy: CallerArtifactsPolicy,
  env: NodeJS.ProcessEnv,
  cwd: string,
  parse: ArtifactsParser = parseInline,
): Promise<ResolvedArtifacts> {
  const hostRun = (artifacts: CompiledArtifacts): ResolvedArtifacts => ({
    artifacts,
    env,
    cwd,
    callerSupplied: false,
  });
  if (request.artifactsJson === "" && request.artifactsPath === "") {
    return hostRun(host.byModel(request.modelName));
  }
  if (request.artifactsJson === "") {
    const loaded = host.byPath(request.artifactsPath, cwd);
    if (loaded !== undefined) return hostRun(loaded);
  }
  const field = request.artifactsJson !== "" ? "artifacts_json" : "artifacts_path";
  if (policy.dir === undefined) {
    throw refuse(
      `${field} from callers is refused: this host runs the artifacts it was started with`,
      field,
    );
  }
  let text: string;
  let file: string;
  if (request.artifactsJson !== "") {
    text = request.artifactsJson;
    file = "artifacts_json";
  } else {
    file = await confined(policy.dir, request.artifactsPath, field);
    const info = await stat(file);
    if (!info.isFile()) {
      throw refuse(`${field} must name a regular file`, field);
    }
    if (info.size > policy.maxBytes) {
      throw new HostRefusal(
        status.RESOURCE_EXHAUSTED,
        `${field} names a file of ${formatBytes(info.size)}, over the limit of ${formatBytes(policy.maxBytes)}`,
        { path: field, fix: "Ask the operator to raise serve --caller-artifacts-max-bytes." },
      );
    }
    text = await readFile(file, "utf8");
  }
  if (Buffer.byteLength(text, "utf8") > policy.maxBytes) {
    throw new HostRefusal(
      status.RESOURCE_EXHAUSTED,
      `${field} is over the limit of ${formatBytes(policy.maxBytes)}`,
      { path: field, fix: "Ask the operator to raise serve --caller-artifacts-max-bytes." },
    );
  }
  const artifacts = await parse(text, file);
  const allowed = callerEnvironment(artifacts, policy, env);
  const root = await realpath(policy.dir);
  if (artifacts.product.compute.dialect === "duckdb") {
    const path = artifacts.product.compute.path;
    const name = envReferenceOf(path);
    await confined(root, name === undefined ? path : (allowed[name] ?? ""), "product.compute.path");
  }
  return { artifacts, env: allowed, cwd: root, callerSupplied: true };
}

/**
 * The part of the host's environment caller artifacts may read: the allow-listed
 * variables their compute refers to. Any other reference is refused before
 * anything is resolved (the answer does not say whether it is set).
 */
function callerEnvironment(
  artifacts: CompiledArtifacts,
  policy: CallerArtifactsPolicy,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  const compute = artifacts.product.compute as Record<string, unknown>;
  const settings: Array<[string, unknown]> = [
    ...Object.entries(compute),
    ...Object.entries((compute.options as Record<string, string> | undefined) ?? {}).map(
      ([k, v]) => [`options.${k}`, v] as [string, unknown],
    ),
  ];
  for (const [key, value] of settings) {
    if (typeof value !== "string") continue;
    const name = envReferenceOf(value);
    if (name === undefined) continue;
    if (!policy.envAllowList.includes(name)) {
      throw refuse(
        `product.compute.${key} refers to \${env:${name}}, which caller artifacts may not read`,
        `product.compute.${key}`,
        "Use host-loaded artifacts for settings from the host's environment, or ask the operator to allow the variable (serve --caller-env NAME).",
      );
    }
    out[name] = env[name];
  }
  return out;
}
