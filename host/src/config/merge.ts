// Three-tier merge with locks: enterprise → domain → product. A lower layer's value
// wins for unlocked settings; objects merge key by key, lists are replaced. A layer
// locks a setting (and everything under it) for the layers below with
// `overrides.<path>.overridable: false`, or a whole gate tier with
// `quality_gates.<tier>.overridable: false`. Defaults are filled in after the merge.
import { isDeepStrictEqual } from "node:util";
import { checkTypeNames, lookupCheckType } from "@floe/quality-sdk";
import { type Diagnostic, diagnostic } from "../errors/index.js";
import type { LayerQuality } from "./files.js";
import { floeIssueParams } from "./issue.js";
import { formatPath, type PathSegment } from "./load.js";
import { type QualityConfig, QualityConfigSchema, TIERS } from "./quality.js";
import { didYouMean } from "./suggest.js";

export const LAYERS = ["enterprise", "domain", "product"] as const;
export type LayerName = (typeof LAYERS)[number];

/** One layer's settings as written in its file. */
export interface ConfigLayer {
  layer: LayerName;
  file: string;
  /** `plugins.quality.provider` of the file. */
  provider?: string | undefined;
  quality?: LayerQuality | undefined;
  /** `file:line:col` of a path in the file; the file name alone when not given. */
  locate?: ((path: readonly PathSegment[]) => string) | undefined;
}

/** A setting locked by a layer for every layer below it. */
export interface Lock {
  /** Setting path: `dimension_weights`, `thresholds.min_score`, `quality_gates.gold`, `provider`. */
  path: string;
  layer: LayerName;
  file: string;
  /** Where in that file the lock is declared. */
  declaredAt: string;
}

export interface LayerRef {
  layer: LayerName;
  file: string;
  locate?: ((path: readonly PathSegment[]) => string) | undefined;
}

export interface MergeResult {
  /** The merged settings (provider at the top, no defaults), with `overrides` holding the locks. */
  settings: Record<string, unknown>;
  locks: Lock[];
  /** FLOE-DQ107 for every attempt to change a locked setting. */
  diagnostics: Diagnostic[];
  /** The last layer that wrote `path` or anything under it. */
  origin(path: string): LayerRef | undefined;
}

type Tree = Record<string, unknown>;

/** The seed defaults, to compare a lower layer's value with what a lock actually holds. */
const DEFAULTS: Tree = QualityConfigSchema.parse({ provider: "-" });

/** Where a setting path is written in a file. */
export function filePath(path: string): PathSegment[] {
  return path === "provider" ? ["plugins", "quality", "provider"] : ["quality", ...path.split(".")];
}

export function mergeLayers(layers: readonly ConfigLayer[]): MergeResult {
  const settings: Tree = {};
  const locks: Lock[] = [];
  const origins = new Map<string, LayerRef>();
  const diagnostics: Diagnostic[] = [];

  for (const layer of layers) {
    const ref: LayerRef = { layer: layer.layer, file: layer.file, locate: layer.locate };
    const { overrides, ...written } = layer.quality ?? {};
    const tree: Tree = { ...(written as Tree) };
    if (layer.provider !== undefined) tree.provider = layer.provider;

    for (const [path, value] of leaves(tree)) {
      const dotted = path.join(".");
      const lock = locks.find((l) => covers(l.path, dotted));
      if (lock) {
        const current = getPath(settings, path) ?? getPath(DEFAULTS, path);
        if (!isDeepStrictEqual(current, value)) {
          diagnostics.push(lockedOverride(layer, dotted, value, current, lock));
        }
        continue;
      }
      setPath(settings, path, value);
      origins.set(dotted, ref);
    }

    for (const tier of TIERS) {
      if (written.quality_gates?.[tier]?.overridable === false) {
        addLock(locks, `quality_gates.${tier}`, layer, `quality.quality_gates.${tier}.overridable`);
      }
    }
    for (const [path, override] of Object.entries(overrides ?? {})) {
      const declaredAt = `quality.overrides.${path}`;
      if (override?.overridable === false) {
        addLock(locks, path, layer, declaredAt);
        continue;
      }
      const lock = locks.find((l) => covers(l.path, path) && l.layer !== layer.layer);
      if (lock && override?.overridable === true) {
        diagnostics.push(
          diagnostic(
            "FLOE-DQ107",
            `${declaredAt} tries to unlock '${path}', locked by the ${lock.layer} layer (${lock.file}: ${lock.declaredAt})`,
            {
              file: locateIn(layer, [...filePath("overrides"), path]),
              path: declaredAt,
              fix: `Remove ${declaredAt} from ${layer.file}; only ${lock.file} can unlock it.`,
            },
          ),
        );
      }
    }
  }

  const overrides: Record<string, { overridable: boolean }> = {};
  for (const lock of locks) overrides[lock.path] = { overridable: false };
  if (locks.length > 0) settings.overrides = overrides;

  return {
    settings,
    locks,
    diagnostics,
    origin(path) {
      let found: LayerRef | undefined;
      for (const [leaf, ref] of origins) {
        if (
          covers(path, leaf) &&
          (!found || LAYERS.indexOf(ref.layer) > LAYERS.indexOf(found.layer))
        ) {
          found = ref;
        }
      }
      return found;
    },
  };
}

function addLock(locks: Lock[], path: string, layer: ConfigLayer, declaredAt: string): void {
  // The highest lock stands; a lower layer repeating it (or a part of it) adds nothing.
  if (locks.some((l) => path === l.path || path.startsWith(`${l.path}.`))) return;
  locks.push({ path, layer: layer.layer, file: layer.file, declaredAt });
}

function lockedOverride(
  layer: ConfigLayer,
  path: string,
  value: unknown,
  locked: unknown,
  lock: Lock,
): Diagnostic {
  const written = formatPath(filePath(path));
  return diagnostic(
    "FLOE-DQ107",
    `${written} is locked by the ${lock.layer} layer (${lock.file}: ${lock.declaredAt}); ` +
      `${layer.file} sets it to ${JSON.stringify(value)}, the locked value is ${JSON.stringify(locked)}`,
    {
      file: locateIn(layer, filePath(path)),
      path: written,
      fix: `Remove ${written} from ${layer.file} (or set it to the locked value); only ${lock.file} can change it.`,
    },
  );
}

function locateIn(layer: { file: string; locate?: ConfigLayer["locate"] }, path: PathSegment[]) {
  return layer.locate ? layer.locate(path) : layer.file;
}

/** A lock on `lockPath` covers the setting itself, everything under it and every parent written whole. */
function covers(lockPath: string, path: string): boolean {
  return path === lockPath || path.startsWith(`${lockPath}.`) || lockPath.startsWith(`${path}.`);
}

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every written value: scalars and lists, with their paths (objects are walked, never leaves). */
function leaves(tree: Tree, prefix: string[] = []): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  for (const [key, value] of Object.entries(tree)) {
    if (value === undefined) continue;
    const path = [...prefix, key];
    if (isTree(value)) out.push(...leaves(value, path));
    else out.push([path, value]);
  }
  return out;
}

function getPath(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const key of path) {
    if (!isTree(node)) return undefined;
    node = node[key];
  }
  return node;
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isTree(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = Array.isArray(value) ? [...value] : value;
}

export type ResolveResult =
  | { ok: true; config: QualityConfig; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Fills the seed defaults into merged settings and validates the result (weights
 * summing to 1, a provider named, required test types known). Errors name the file
 * of the layer that last wrote the setting at fault.
 */
export function resolveQualityConfig(merged: MergeResult): ResolveResult {
  const diagnostics: Diagnostic[] = [];
  const blame = (path: readonly PropertyKey[]) => {
    const setting = path.map(String).join(".");
    const ref = merged.origin(setting);
    const written = filePath(setting);
    return {
      file: ref ? locateIn(ref, written) : undefined,
      path: formatPath(written),
    };
  };

  if (typeof merged.settings.provider !== "string") {
    diagnostics.push(
      diagnostic("FLOE-DQ001", "no quality provider: no layer sets plugins.quality.provider", {
        path: "plugins.quality.provider",
        fix: "Set plugins.quality.provider in the enterprise manifest (for example floe_sql).",
      }),
    );
  }
  // A placeholder provider lets the other settings be validated when none is set;
  // the missing provider is already reported above.
  const parsed = QualityConfigSchema.safeParse({ provider: "-", ...merged.settings });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = blame(issue.path);
      const isWeights = issue.path[issue.path.length - 1] === "dimension_weights";
      diagnostics.push(
        diagnostic(
          floeIssueParams(issue)?.floe_code ?? "FLOE-DQ100",
          isWeights ? `merged ${issue.message}` : issue.message,
          {
            ...where,
            fix: isWeights
              ? "Make completeness, accuracy, validity, consistency and timeliness sum to 1 across the layers."
              : undefined,
          },
        ),
      );
    }
    return { ok: false, diagnostics };
  }
  const config = parsed.data;
  for (const tier of TIERS) {
    config.quality_gates[tier].required_tests = config.quality_gates[tier].required_tests.map(
      (name, index) => {
        const spec = lookupCheckType(name);
        if (spec) return spec.type;
        const where = blame(["quality_gates", tier, "required_tests"]);
        diagnostics.push(
          diagnostic(
            "FLOE-DQ100",
            `unknown check type '${name}' in required_tests${didYouMean(name, checkTypeNames())}`,
            {
              file: where.file,
              path: `${where.path}[${index}]`,
              fix: "Name check types from the vocabulary (docs/configuration.md#check-types).",
            },
          ),
        );
        return name;
      },
    );
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, config, diagnostics };
}
