// Reading config files: YAML or JSON (YAML 1.2 reads JSON too) parsed with source
// positions kept, validated by a zod schema, every problem turned into a Diagnostic
// naming the file, line:column, dotted path, FLOE-DQ code and fix.
import { readFile, stat } from "node:fs/promises";
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type Diagnostic, diagnostic } from "../errors/index.js";
import {
  type DomainManifest,
  DomainManifestSchema,
  type EnterpriseManifest,
  EnterpriseManifestSchema,
  type Product,
  ProductSchema,
} from "./files.js";
import { floeIssueParams } from "./issue.js";
import {
  CONFIG_LIMIT_VARIABLES,
  type ConfigLimits,
  configLimitsFromEnv,
  formatBytes,
} from "./limits.js";
import { article, formatPath, issueMessage, type PathSegment } from "./messages.js";

export { formatPath, type PathSegment };

import { closestNames, didYouMean } from "./suggest.js";

/** A file's name and text: what the pure parsers take. */
export interface SourceText {
  file: string;
  text: string;
}

/** A parsed and validated file that can still point at its own lines. */
export interface LoadedFile<T> {
  file: string;
  value: T;
  /** `file:line:col` of the value at `path` (or of its nearest written parent). */
  locate(path: readonly PathSegment[]): string;
}

export type LoadResult<T> =
  | { ok: true; loaded: LoadedFile<T> }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Reads a file for a parser; a missing or unreadable file is a FLOE-DQ100
 * diagnostic, one that is not a regular file or is over the size limit a
 * FLOE-DQ109 one (nothing is read from it).
 */
export async function readSourceText(
  file: string,
  limits: ConfigLimits = configLimitsFromEnv(),
): Promise<SourceText | Diagnostic> {
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      return diagnostic("FLOE-DQ109", "not a regular file", {
        file,
        fix: "Give the path of a YAML or JSON file.",
      });
    }
    if (info.size > limits.maxBytes) return tooLarge(file, info.size, limits);
    return { file, text: await readFile(file, "utf8") };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot read it";
    return diagnostic("FLOE-DQ100", `${reason}: ${(error as Error).message}`, {
      file,
      fix: "Check the path given on the command line.",
    });
  }
}

function tooLarge(file: string, size: number, limits: ConfigLimits): Diagnostic {
  return diagnostic(
    "FLOE-DQ109",
    `the file is ${formatBytes(size)}, over the limit of ${formatBytes(limits.maxBytes)}`,
    {
      file,
      fix: `Split the project, or raise the limit with ${CONFIG_LIMIT_VARIABLES.maxBytes} if the file is meant to be this large.`,
    },
  );
}

function limitDiagnostic(
  file: string,
  message: string,
  key: keyof ConfigLimits,
  path?: string,
): Diagnostic {
  return diagnostic("FLOE-DQ109", message, {
    file,
    path,
    fix: `Simplify the file, or raise the limit with ${CONFIG_LIMIT_VARIABLES[key]} if it is meant to be this way.`,
  });
}

/** The deepest nesting of maps and lists, without following aliases; stops counting past `cap`. */
function nestingDepth(root: unknown, cap: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > cap) return deepest;
    for (const item of node.items as unknown[]) {
      if (isMap(node)) {
        const pair = item as { key: unknown; value: unknown };
        stack.push([pair.key, depth + 1], [pair.value, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return deepest;
}

/** Models and checks over their limits, before the schema looks at thousands of them. */
function countDiagnostics(value: unknown, file: string, limits: ConfigLimits): Diagnostic[] {
  const models = (value as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return [];
  if (models.length > limits.maxModels) {
    return [
      limitDiagnostic(
        file,
        `${models.length} models, over the limit of ${limits.maxModels}`,
        "maxModels",
        "models",
      ),
    ];
  }
  const out: Diagnostic[] = [];
  models.forEach((model, index) => {
    const checks = (model as { quality_checks?: unknown } | null)?.quality_checks;
    if (Array.isArray(checks) && checks.length > limits.maxChecksPerModel) {
      out.push(
        limitDiagnostic(
          file,
          `${checks.length} quality checks in one model, over the limit of ${limits.maxChecksPerModel}`,
          "maxChecksPerModel",
          `models[${index}].quality_checks`,
        ),
      );
    }
  });
  return out;
}

/**
 * The document's YAML, bounded: too large, too deep or too many aliases is a
 * FLOE-DQ109 diagnostic (never a parser stack trace).
 */
function boundedDocument(
  source: SourceText,
  lines: LineCounter,
  limits: ConfigLimits,
): Document.Parsed | Diagnostic {
  const { file, text } = source;
  const size = Buffer.byteLength(text, "utf8");
  if (size > limits.maxBytes) return tooLarge(file, size, limits);
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return limitDiagnostic(file, "the document is nested too deeply to read", "maxDepth");
  }
  const depth = nestingDepth(doc.contents, limits.maxDepth);
  if (depth > limits.maxDepth) {
    return limitDiagnostic(
      file,
      `maps and lists nested more than ${limits.maxDepth} deep`,
      "maxDepth",
    );
  }
  return doc;
}

/** Parses YAML or JSON text and validates it with `schema`. Pure. */
export function parseConfigText<S extends z.ZodType>(
  source: SourceText,
  schema: S,
  limits: ConfigLimits = configLimitsFromEnv(),
): LoadResult<z.output<S>> {
  const { file } = source;
  const lines = new LineCounter();
  const doc = boundedDocument(source, lines, limits);
  if (!("contents" in doc)) return { ok: false, diagnostics: [doc] };
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };

  if (doc.errors.length > 0) {
    return {
      ok: false,
      diagnostics: doc.errors.map((e) =>
        diagnostic("FLOE-DQ100", `not valid YAML/JSON: ${firstLine(e.message)}`, {
          file: at(e.pos[0]),
          fix: "Fix the syntax at the reported line (indentation, quotes, brackets, a missing ':').",
        }),
      ),
    };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      ok: false,
      diagnostics: [
        diagnostic("FLOE-DQ100", "the file is empty", {
          file,
          fix: "Write the file's settings (see examples/ and docs/configuration.md).",
        }),
      ],
    };
  }

  const locate = (path: readonly PathSegment[], key = false) =>
    at(offsetOf(doc.contents as Node, path, key));
  const knownKeys = new Map<string, string[]>();
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliases });
  } catch (error) {
    // yaml throws ReferenceError for an alias bomb (and for an alias to nothing).
    if (!(error instanceof ReferenceError)) throw error;
    return {
      ok: false,
      diagnostics: [
        limitDiagnostic(
          file,
          `the YAML aliases expand too far (${firstLine(error.message)}); at most ${limits.maxAliases} are read`,
          "maxAliases",
        ),
      ],
    };
  }
  const counted = countDiagnostics(value, file, limits);
  if (counted.length > 0) return { ok: false, diagnostics: counted };
  const parsed = schema.safeParse(value, {
    error: (issue) => issueMessage(issue, knownKeys),
  });
  if (parsed.success) {
    return { ok: true, loaded: { file, value: parsed.data, locate: (p) => locate(p) } };
  }
  // Reported in the order of the file, so a reader fixes them top to bottom.
  const found: { offset: number; diagnostic: Diagnostic }[] = [];
  const offset = (path: readonly PathSegment[], key = false) =>
    offsetOf(doc.contents as Node, path, key) ?? Number.MAX_SAFE_INTEGER;
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter(
      (s): s is PathSegment => typeof s === "string" || typeof s === "number",
    );
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys.get(formatPath(path)) ?? [];
      for (const key of issue.keys) {
        const at = [...path, key];
        found.push({
          offset: offset(at, true),
          diagnostic: unknownKey(key, known, at, locate(at, true)),
        });
      }
      continue;
    }
    const floe = floeIssueParams(issue);
    found.push({
      offset: offset(path),
      diagnostic: diagnostic(floe?.floe_code ?? "FLOE-DQ100", issue.message, {
        file: locate(path),
        path: formatPath(path) || undefined,
        fix: floe?.fix ?? fixFor(issue, path),
      }),
    });
  }
  found.sort((a, b) => a.offset - b.offset);
  return { ok: false, diagnostics: found.map((f) => f.diagnostic) };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function unknownKey(key: string, known: string[], path: PathSegment[], file: string): Diagnostic {
  const close = closestNames(key, known);
  const fix = close[0]
    ? `Rename '${key}' to '${close[0]}', or remove it.`
    : `Remove '${key}'; allowed here: ${known.join(", ")}.`;
  return diagnostic("FLOE-DQ100", `unknown key '${key}'${didYouMean(key, known)}`, {
    file,
    path: formatPath(path),
    fix,
  });
}

/**
 * Offset of the node at `path` in the document, or of its nearest existing parent
 * when the path is not written (a missing required key). With `key`, the offset of
 * the last segment's key rather than its value.
 */
function offsetOf(root: Node, path: readonly PathSegment[], key: boolean): number | undefined {
  let node: unknown = root;
  let offset = (root as Node).range?.[0];
  for (const [i, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return offset;
      const keyNode = pair.key as Node;
      const last = i === path.length - 1;
      if (last && key) return keyNode.range?.[0];
      node = pair.value;
      offset = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0];
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (!item) return offset;
      node = item;
      offset = (item as Node).range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function fixFor(issue: z.core.$ZodIssue, path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  const name = typeof last === "number" ? formatPath(path.slice(-2)) : String(last ?? "the value");
  switch (issue.code) {
    case "invalid_type":
      return issue.message.startsWith("missing")
        ? `Add '${name}'.`
        : `Give '${name}' ${article(issue.expected)}.`;
    case "too_small":
    case "too_big":
      return `Give '${name}' a value in the allowed range (docs/configuration.md).`;
    case "invalid_value":
      return `Use one of: ${issue.values.map(String).join(", ")}.`;
    case "invalid_union": {
      const options = (issue as { options?: unknown[] }).options;
      return options
        ? `Use one of: ${options.map(String).join(", ")}.`
        : "Correct the value (see docs/configuration.md).";
    }
    case "custom":
      if (path[path.length - 1] === "dimension_weights") {
        return "Make completeness, accuracy, validity, consistency and timeliness sum to 1.";
      }
      return "Correct the value (see docs/configuration.md).";
    default:
      return "Correct the value (see docs/configuration.md).";
  }
}

export function parseEnterpriseManifest(source: SourceText): LoadResult<EnterpriseManifest> {
  return parseConfigText(source, EnterpriseManifestSchema);
}

export function parseDomainManifest(source: SourceText): LoadResult<DomainManifest> {
  return parseConfigText(source, DomainManifestSchema);
}

export function parseProduct(source: SourceText): LoadResult<Product> {
  return parseConfigText(source, ProductSchema);
}
