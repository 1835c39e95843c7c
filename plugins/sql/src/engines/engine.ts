// What the runner needs from a database: run one statement (cancellable),
// list a relation's columns, close. Implemented for DuckDB and PostgreSQL.
import type { Dialect, RelationName, Row, Statement } from "../compile/index.js";

export interface QueryLogEntry {
  readonly dialect: string;
  /** The SQL text (parameters are never logged: they may hold data). */
  readonly sql: string;
  readonly paramCount: number;
  readonly durationMs: number;
  readonly outcome: "ok" | "error" | "cancelled";
}

export interface EngineOptions {
  /** Called after every statement the engine runs (tests count queries with it). */
  readonly onQuery?: (entry: QueryLogEntry) => void;
  /** Statements running at this time are cancelled by the database itself as a safety net. */
  readonly deadline?: Date | undefined;
  /** Concurrent statements (DuckDB connections / PostgreSQL pool size); default 2. */
  readonly concurrency?: number;
}

export interface Engine {
  readonly dialect: Dialect;
  /** Default schema for unqualified relations ("" when the database's own default applies). */
  readonly defaultSchema: string;
  /** Runs `statement`; when `signal` fires, the statement is cancelled in the database and the promise rejects with QueryCancelledError. */
  query(statement: Statement, signal?: AbortSignal): Promise<Row[]>;
  /** The relation's column names; rejects when the relation does not exist. */
  columnNames(relation: RelationName, signal?: AbortSignal): Promise<string[]>;
  close(): Promise<void>;
}

export class QueryCancelledError extends Error {
  constructor() {
    super("the query was cancelled");
    this.name = "QueryCancelledError";
  }
}

/** A tiny counting semaphore: the engines never run more statements at once than they have connections. */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
