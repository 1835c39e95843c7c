// How much one config file (or one request carrying files) may ask of the host:
// its size, YAML aliases and nesting depth, models and checks per model. A file
// past a limit is a FLOE-DQ109 diagnostic before any expensive work starts. The
// defaults sit far above any real project; each is configurable (docs/host.md).

export interface ConfigLimits {
  /** Bytes of one file's text. */
  maxBytes: number;
  /** YAML aliases (`*name`) one document may expand. */
  maxAliases: number;
  /** Nesting of maps and lists. */
  maxDepth: number;
  /** Entries of a product's `models`. */
  maxModels: number;
  /** Entries of one model's `quality_checks`. */
  maxChecksPerModel: number;
}

export const DEFAULT_CONFIG_LIMITS: Readonly<ConfigLimits> = {
  maxBytes: 16 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 64,
  maxModels: 5_000,
  maxChecksPerModel: 2_000,
};

/** The variable that overrides each limit. */
export const CONFIG_LIMIT_VARIABLES: Readonly<Record<keyof ConfigLimits, string>> = {
  maxBytes: "FLOE_MAX_CONFIG_BYTES",
  maxAliases: "FLOE_MAX_YAML_ALIASES",
  maxDepth: "FLOE_MAX_YAML_DEPTH",
  maxModels: "FLOE_MAX_MODELS",
  maxChecksPerModel: "FLOE_MAX_CHECKS_PER_MODEL",
};

/**
 * The defaults with the environment's overrides. A variable that is not a
 * positive whole number is ignored: a limit never turns off by mistake.
 */
export function configLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigLimits {
  const limits = { ...DEFAULT_CONFIG_LIMITS };
  for (const [key, variable] of Object.entries(CONFIG_LIMIT_VARIABLES) as Array<
    [keyof ConfigLimits, string]
  >) {
    const value = Number(env[variable]);
    if (Number.isSafeInteger(value) && value > 0) limits[key] = value;
  }
  return limits;
}

/** "16 MiB", "512 KiB", "100 bytes": sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The deepest nesting of plain objects and arrays in a decoded message; stops past `cap`. */
export function nestingDepth(value: unknown, cap: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object" || ArrayBuffer.isView(node)) continue;
    if (node instanceof Date) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > cap) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}
