import { v7 } from "uuid";

/** A time-ordered UUIDv7, the OpenLineage run id of one quality run. */
export function newRunId(): string {
  return v7();
}
