// Metadata: who the plugin is and what it claims, well-formed.
import { CHECK_TYPES, isCompatibleFloeApiVersion, isSemanticVersion } from "@floe/quality-sdk";
import { capabilitiesOf, needsRunningPlugin } from "../context.js";
import { type ConformanceGroup, expectEqual, expectTrue, fail } from "../framework.js";
import { listSuites } from "../rpc.js";

const FLOE_TYPES = new Set(CHECK_TYPES.map((s) => s.type));

function duplicates(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

export const metadataGroup: ConformanceGroup = {
  name: "metadata",
  about: "GetMetadata: name, semantic versions, floe_api_version 1.x, well-formed capabilities",
  requires: needsRunningPlugin,
  tests: [
    {
      name: "names itself",
      async run(ctx) {
        const name = ctx.metadata!.name;
        expectTrue("name", /^[a-z][a-z0-9_-]*$/.test(name), "a lower-case identifier", name);
      },
    },
    {
      name: "version is a semantic version",
      async run(ctx) {
        const version = ctx.metadata!.version;
        expectTrue("version", isSemanticVersion(version), "semver, e.g. 0.1.0", version);
      },
    },
    {
      name: "floe_api_version is a semantic version with major 1",
      async run(ctx) {
        const api = ctx.metadata!.floeApiVersion;
        expectTrue(
          "floe_api_version",
          isCompatibleFloeApiVersion(api),
          "a semantic version with major 1, e.g. 1.0.0",
          api,
        );
      },
    },
    {
      name: "declares at least one dialect, lower-case, without duplicates",
      async run(ctx) {
        const dialects = capabilitiesOf(ctx)?.dialects ?? [];
        expectTrue("capabilities.dialects", dialects.length > 0, "at least one dialect", dialects);
        expectEqual(
          "malformed dialect names",
          [],
          dialects.filter((d) => !/^[a-z][a-z0-9_]*$/.test(d)),
        );
        expectEqual("duplicate dialects", [], duplicates(dialects));
      },
    },
    {
      name: "declares floe check types only, without duplicates",
      async run(ctx) {
        const types = capabilitiesOf(ctx)?.checkTypes ?? [];
        expectTrue("capabilities.check_types", types.length > 0, "at least one check type", types);
        expectEqual(
          "check types outside the floe vocabulary (aliases are accepted in suites, not declared)",
          [],
          types.filter((t) => !FLOE_TYPES.has(t)),
        );
        expectEqual("duplicate check types", [], duplicates(types));
      },
    },
    {
      name: "answers ListSuites with well-formed suites, none unless native_suites is claimed",
      async run(ctx) {
        const response = await listSuites(await ctx.clients()).catch((error: Error) =>
          fail(
            "ListSuites",
            "a ListSuitesResponse (an empty list when the plugin owns none)",
            error.message,
          ),
        );
        const suites = response.suites;
        if (!capabilitiesOf(ctx)?.nativeSuites)
          expectEqual(
            "suites listed without capabilities.native_suites",
            [],
            suites.map((s) => s.name),
          );
        expectEqual(
          "malformed suites (an empty name or a negative check_count)",
          [],
          suites.filter((s) => s.name === "" || s.checkCount < 0).map((s) => s.name),
        );
        expectEqual("duplicate suite names", [], duplicates(suites.map((s) => s.name)));
      },
    },
  ],
};
