// The run-checks group cannot pass vacuously: the fixture has cases for every
// type of the vocabulary, and a declared type without a case fails.
import { CHECK_TYPES } from "@floe/quality-sdk";
import { describe, expect, it } from "vitest";
import type { SuiteContext } from "../src/context.js";
import { checkCases } from "../src/fixture/data.js";
import type { Fixture } from "../src/fixture/index.js";
import { ExpectationFailure } from "../src/framework.js";
import { runChecksGroup, semanticsTest } from "../src/suites/run-checks.js";

describe("the run-checks fixture", () => {
  it("has at least one case of every check type of the vocabulary", () => {
    const covered = new Set(checkCases("customers").map((c) => c.type));
    expect(CHECK_TYPES.map((s) => s.type).filter((t) => !covered.has(t))).toEqual([]);
  });

  it("gives the group one test per vocabulary type", () => {
    expect(runChecksGroup.tests.map((t) => t.name)).toEqual(CHECK_TYPES.map((s) => s.type));
  });

  it("fails a declared type that has no fixture case, before calling the plugin", async () => {
    const fixture = { relation: (t: string) => t } as unknown as Fixture;
    const ctx = {
      dialect: "duckdb",
      fixture: () => fixture,
      clients: () => {
        throw new Error("the plugin must not be called");
      },
    } as unknown as SuiteContext;
    const failure = await semanticsTest("type_without_cases")
      .run(ctx)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(ExpectationFailure);
    expect((failure as ExpectationFailure).message).toContain("the fixture");
  });
});
