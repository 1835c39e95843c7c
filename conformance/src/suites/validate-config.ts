// ValidateConfig: a plugin answers with a ValidationResult, not a gRPC error.
import { contract } from "@floe/quality-sdk";
import { needsRunningPlugin } from "../context.js";
import { type ConformanceGroup, expectEqual, fail } from "../framework.js";
import { validateConfig } from "../rpc.js";

/** A complete configuration with the documented defaults. */
function defaultConfig(provider: string): contract.QualityConfig {
  return contract.QualityConfig.fromPartial({
    provider,
    dimensionWeights: {
      completeness: 0.25,
      accuracy: 0.25,
      validity: 0.2,
      consistency: 0.15,
      timeliness: 0.15,
    },
    calculation: {
      baselineScore: 70,
      maxPositiveInfluence: 30,
      maxNegativeInfluence: 50,
      severityWeights: { critical: 3, warning: 1, info: 0.5 },
    },
    thresholds: { minScore: 60, warnScore: 80 },
    checkTimeoutSeconds: 300,
    enabled: true,
  });
}

export const validateConfigGroup: ConformanceGroup = {
  name: "validate-config",
  about: "ValidateConfig accepts the documented default configuration",
  requires: needsRunningPlugin,
  tests: [
    {
      name: "accepts the default configuration naming the plugin as provider",
      async run(ctx) {
        const clients = await ctx.clients();
        const response = await validateConfig(clients, {
          config: defaultConfig(ctx.metadata!.name),
        }).catch((error: Error) =>
          fail("ValidateConfig", "a ValidateConfigResponse", error.message),
        );
        expectEqual("result.success", true, response.result?.success);
        expectEqual("result.errors", [], response.result?.errors ?? []);
      },
    },
    {
      name: "answers an empty configuration with a ValidationResult",
      async run(ctx) {
        const clients = await ctx.clients();
        const response = await validateConfig(clients, { config: undefined }).catch(
          (error: Error) =>
            fail(
              "ValidateConfig with no config",
              "a ValidateConfigResponse (success or diagnostics)",
              error.message,
            ),
        );
        expectEqual("a result is present", true, response.result !== undefined);
      },
    },
  ],
};
