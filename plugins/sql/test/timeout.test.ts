// The suite deadline: running statements are cancelled in the database (gone
// from pg_stat_activity; DuckDB interrupted) and the unfinished
// checks come back TIMED_OUT with FLOE-DQ106, while finished ones keep their results.
import { FloeError } from "@floe/quality-sdk";
import { describe, expect, it } from "vitest";
import { check, runOn, useEngines } from "./harness.js";

const [duck, postgres] = useEngines();

function deadlineSignal(ms: number): { signal: AbortSignal; firedAt: () => number } {
  const controller = new AbortController();
  let firedAt = 0;
  setTimeout(() => {
    firedAt = Date.now();
    controller.abort(new FloeError("FLOE-DQ106", "the suite deadline passed"));
  }, ms);
  return { signal: controller.signal, firedAt: () => firedAt };
}

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  deadline: number,
): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("suite deadline", () => {
  it("cancels a slow PostgreSQL statement in the server and reports its checks timed_out", async () => {
    const target = postgres as NonNullable<typeof postgres>;
    const { signal, firedAt } = deadlineSignal(700);
    const { results } = await runOn(
      target,
      "orders",
      [
        check("slow", "expression_is_true", "", { expression: "(SELECT TRUE FROM pg_sleep(30))" }),
        check("fused_neighbour", "not_null", "id"),
        check("id_unique", "unique", "id"),
      ],
      { signal, maxFailingSamples: 0, engine: { deadline: new Date(Date.now() + 700) } },
    );
    // Judged by cause, not the clock: the statement is gone from the server (a
    // 30 s sleep left running would still be there), with a generous deadline.
    const sleeping = await waitFor(
      () =>
        target.rawQuery(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
        ),
      (rows) => rows[0]?.n === 0,
      firedAt() + 20_000,
    );
    expect(sleeping[0]?.n).toBe(0);
    for (const name of ["slow", "fused_neighbour"]) {
      expect(results.get(name)?.status).toBe(5);
      expect(results.get(name)?.errorCode).toBe("FLOE-DQ106");
    }
    expect(results.get("id_unique")?.status).toBe(2);
    expect(results.get("id_unique")?.recordsFailed).toBe(2);
  });

  it("interrupts a slow DuckDB statement and reports its checks timed_out", async () => {
    const target = duck as NonNullable<typeof duck>;
    const { signal, firedAt } = deadlineSignal(500);
    const { results, queries } = await runOn(
      target,
      "orders",
      [
        check("slow", "expression_is_true", "", {
          expression: "(SELECT count(*) FROM range(100000000000) AS r(x) WHERE x % 7 = 3) > 0",
        }),
        check("rows", "row_count_between", "", { min_value: 1 }),
      ],
      { signal, maxFailingSamples: 0 },
    );
    expect(firedAt()).toBeGreaterThan(0);
    expect(results.get("slow")?.status).toBe(5);
    expect(results.get("rows")?.status).toBe(5);
    expect(results.get("slow")?.errorMessage).toBe(
      "the check did not finish within the suite deadline; its query was cancelled",
    );
    expect(queries.map((q) => q.outcome)).toEqual(["cancelled"]);
  });
});
