// Which DuckDB wrote a database file, read from its header before any engine
// opens it, so a file from a newer DuckDB stops with FLOE-DQ111 (both versions
// and the conversion command) instead of an engine error on every check.
//
// The header: bytes 8–11 "DUCK", 12–19 the main version number (64 for every
// DuckDB 1.x file), 52–83 the writing library's version ("v2.0.1"); the two
// database headers at 4096 and 8192 carry an iteration counter (offset 8) and
// the storage serialization version (offset 56), which a DuckDB 2.x file raises
// past what DuckDB 1.x reads.
import { closeSync, openSync, readSync } from "node:fs";
import { FloeError } from "./errors.js";

/** The DuckDB release floe's Node engine embeds (@duckdb/node-api) and the storage versions it reads. */
export const NODE_DUCKDB = { release: "v1.5.6", minStorage: 64, maxStorage: 68 } as const;

export interface DuckdbFileVersion {
  /** The storage version a reader must support. */
  readonly storage: number;
  /** The DuckDB release that wrote the file ("v2.0.1"), when the header names it. */
  readonly writtenBy: string | undefined;
}

const HEADER_BYTES = 3 * 4096;

function u64(buffer: Buffer, offset: number): number {
  return Number(buffer.readBigUInt64LE(offset));
}

/** The file's storage version, or undefined when it is not a DuckDB file (or too short to tell). */
export function duckdbFileVersion(path: string): DuckdbFileVersion | undefined {
  const buffer = Buffer.alloc(HEADER_BYTES);
  let read = 0;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    read = readSync(fd, buffer, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 64 || buffer.toString("latin1", 8, 12) !== "DUCK") return undefined;
  const main = u64(buffer, 12);
  const library = buffer.toString("latin1", 52, 84).replace(/\0.*$/s, "");
  let serialization = 0;
  if (read >= HEADER_BYTES) {
    const first = { iteration: u64(buffer, 4096 + 8), version: u64(buffer, 4096 + 56) };
    const second = { iteration: u64(buffer, 8192 + 8), version: u64(buffer, 8192 + 56) };
    serialization = (first.iteration >= second.iteration ? first : second).version;
  }
  // DuckDB 2.x writes a sentinel (999) as the main number and the real version in
  // the database header; 1.x writes 64 and a small compatibility number there.
  const storage = Math.max(main < 999 ? main : 0, serialization);
  return { storage, writtenBy: /^v\d/.test(library) ? library : undefined };
}

/** The command that rewrites `path` in the storage format of floe's engine, run with the newer DuckDB. */
export function duckdbConversionCommand(path: string): string {
  const target = duckdbConvertedPath(path);
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const sql = `ATTACH ${literal(path)} AS src (READ_ONLY); ATTACH ${literal(target)} AS dst (STORAGE_VERSION 'v1.5.0'); COPY FROM DATABASE src TO dst;`;
  return `python -c 'import duckdb, sys; duckdb.connect().execute(sys.argv[1])' ${shellQuote(sql)}`;
}

/** Where the conversion command writes the copy: beside the file, `.v1_5` before the extension. */
export function duckdbConvertedPath(path: string): string {
  return path.replace(/(\.duckdb|\.db)?$/, ".v1_5$1");
}

/** One POSIX shell word. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * Throws FLOE-DQ111 when `path` was written by a DuckDB newer than the Node
 * engine reads; a missing file or one that is not DuckDB's passes (the engine
 * reports those).
 */
export function assertDuckdbFileReadable(path: string, reader = "floe_sql"): void {
  const version = duckdbFileVersion(path);
  if (version === undefined || version.storage <= NODE_DUCKDB.maxStorage) return;
  const writer = version.writtenBy ? `DuckDB ${version.writtenBy}` : "a newer DuckDB";
  throw new FloeError(
    "FLOE-DQ111",
    `DuckDB file ${path} was written by ${writer} (storage version ${version.storage}); ${reader} runs DuckDB ${NODE_DUCKDB.release}, which reads storage versions ${NODE_DUCKDB.minStorage} to ${NODE_DUCKDB.maxStorage}. Convert it with ${writer}: ${duckdbConversionCommand(path)}`,
    {
      path: "compute.path",
      fix: `Convert the file with the DuckDB that wrote it (${writer}), which writes a copy DuckDB ${NODE_DUCKDB.release} reads: ${duckdbConversionCommand(path)} — then point compute.path at the copy. Or write the warehouse with the project's pinned duckdb (requirements.txt).`,
    },
  );
}
