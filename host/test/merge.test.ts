import { describe, expect, it } from "vitest";
import type { LayerQuality } from "../src/config/files.js";
import { parseDomainManifest, parseEnterpriseManifest, parseProduct } from "../src/config/load.js";
import {
  type ConfigLayer,
  type LayerName,
  mergeLayers,
  resolveQualityConfig,
} from "../src/config/merge.js";
import { SEED_QUALITY_CONFIG } from "./config-support.js";

const FILES: Record<LayerName, string> = {
  enterprise: "manifest.yaml",
  domain: "domains/sales/manifest.yaml",
  product: "products/shop/floe.yaml",
};

function layer(name: LayerName, quality: LayerQuality, provider?: string): ConfigLayer {
  return { layer: name, file: FILES[name], quality, provider };
}

const PAIRS: [LayerName, LayerName][] = [
  ["enterprise", "domain"],
  ["enterprise", "product"],
  ["domain", "product"],
];

/** The layers from the top down to `lower`, with `upper` and `lower` given settings. */
function stack(
  upper: LayerName,
  upperQuality: LayerQuality,
  lower: LayerName,
  lowerQuality: LayerQuality,
): ConfigLayer[] {
  const names: LayerName[] = ["enterprise", "domain", "product"];
  return names
    .slice(0, names.indexOf(lower) + 1)
    .map((n) =>
      layer(
        n,
        n === upper ? upperQuality : n === lower ? lowerQuality : {},
        n === "enterprise" ? "floe_sql" : undefined,
      ),
    );
}

describe("mergeLayers: lock through overrides.<path>", () => {
  it.each(PAIRS)(
    "%s locks thresholds.min_score: %s changing it fails with FLOE-DQ107",
    (upper, lower) => {
      const result = mergeLayers(
        stack(
          upper,
          {
            thresholds: { min_score: 60 },
            overrides: { "thresholds.min_score": { overridable: false } },
          },
          lower,
          { thresholds: { min_score: 40 } },
        ),
      );
      expect(result.diagnostics).toEqual([
        {
          code: "FLOE-DQ107",
          level: "error",
          file: FILES[lower],
          path: "quality.thresholds.min_score",
          message:
            `quality.thresholds.min_score is locked by the ${upper} layer (${FILES[upper]}: quality.overrides.thresholds.min_score); ` +
            `${FILES[lower]} sets it to 40, the locked value is 60`,
          fix: `Remove quality.thresholds.min_score from ${FILES[lower]} (or set it to the locked value); only ${FILES[upper]} can change it.`,
        },
      ]);
      expect(result.settings.thresholds).toEqual({ min_score: 60 });
    },
  );

  it.each(PAIRS)(
    "%s locks dimension_weights: %s changing one weight fails at that weight",
    (upper, lower) => {
      const result = mergeLayers(
        stack(upper, { overrides: { dimension_weights: { overridable: false } } }, lower, {
          dimension_weights: { accuracy: 0.25, validity: 0.3 },
        }),
      );
      // accuracy 0.25 is the default the lock holds: repeating it is allowed.
      expect(result.diagnostics.map((d) => [d.code, d.path, d.file])).toEqual([
        ["FLOE-DQ107", "quality.dimension_weights.validity", FILES[lower]],
      ]);
      expect(result.diagnostics[0]!.message).toContain("the locked value is 0.2");
    },
  );

  it.each(PAIRS)("unlocked in %s: the %s value wins", (upper, lower) => {
    const result = mergeLayers(
      stack(upper, { thresholds: { min_score: 60, warn_score: 80 } }, lower, {
        thresholds: { min_score: 40 },
      }),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.settings.thresholds).toEqual({ min_score: 40, warn_score: 80 });
    expect(result.origin("thresholds.min_score")?.layer).toBe(lower);
    expect(result.origin("thresholds.warn_score")?.layer).toBe(upper);
  });

  it("setting a locked value to the same value is allowed", () => {
    const result = mergeLayers([
      layer("enterprise", {
        thresholds: { min_score: 60 },
        overrides: { thresholds: { overridable: false } },
      }),
      layer("product", { thresholds: { min_score: 60 } }),
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  it("a lock covers the subtree: calculation.severity_weights locks each severity", () => {
    const result = mergeLayers([
      layer("enterprise", {
        overrides: { "calculation.severity_weights": { overridable: false } },
      }),
      layer("product", { calculation: { baseline_score: 65, severity_weights: { critical: 5 } } }),
    ]);
    expect(result.diagnostics.map((d) => d.path)).toEqual([
      "quality.calculation.severity_weights.critical",
    ]);
    expect(result.settings.calculation).toEqual({ baseline_score: 65 });
  });

  it("the provider lock names plugins.quality.provider", () => {
    const result = mergeLayers([
      {
        ...layer("enterprise", { overrides: { provider: { overridable: false } } }),
        provider: "floe_sql",
      },
      { ...layer("domain", {}), provider: "great_expectations" },
    ]);
    expect(result.diagnostics.map((d) => [d.code, d.path, d.file])).toEqual([
      ["FLOE-DQ107", "plugins.quality.provider", FILES.domain],
    ]);
    expect(result.settings.provider).toBe("floe_sql");
  });

  it("a domain lock binds the product, not the domain itself", () => {
    const result = mergeLayers([
      layer("enterprise", { thresholds: { warn_score: 80 } }),
      layer("domain", {
        thresholds: { warn_score: 85 },
        overrides: { "thresholds.warn_score": { overridable: false } },
      }),
      layer("product", { thresholds: { warn_score: 70 } }),
    ]);
    expect(result.diagnostics.map((d) => [d.path, d.file])).toEqual([
      ["quality.thresholds.warn_score", FILES.product],
    ]);
    expect(result.settings.thresholds).toEqual({ warn_score: 85 });
    expect(result.locks).toEqual([
      {
        path: "thresholds.warn_score",
        layer: "domain",
        file: FILES.domain,
        declaredAt: "quality.overrides.thresholds.warn_score",
      },
    ]);
  });

  it("a domain may lock more than the enterprise did: both locks bind the product", () => {
    const result = mergeLayers([
      layer("enterprise", { overrides: { "thresholds.min_score": { overridable: false } } }),
      layer("domain", { overrides: { thresholds: { overridable: false } } }),
      layer("product", { thresholds: { warn_score: 70 } }),
    ]);
    expect(result.locks.map((l) => [l.path, l.layer])).toEqual([
      ["thresholds.min_score", "enterprise"],
      ["thresholds", "domain"],
    ]);
    expect(result.diagnostics.map((d) => d.path)).toEqual(["quality.thresholds.warn_score"]);
  });

  it("a lower layer cannot unlock: overridable: true under a lock is FLOE-DQ107", () => {
    const result = mergeLayers([
      layer("enterprise", { overrides: { dimension_weights: { overridable: false } } }),
      layer("product", { overrides: { dimension_weights: { overridable: true } } }),
    ]);
    expect(result.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ107", "quality.overrides.dimension_weights"],
    ]);
    expect(result.settings.overrides).toEqual({ dimension_weights: { overridable: false } });
  });
});

describe("mergeLayers: gate tier lock", () => {
  it.each(PAIRS)("%s locks the gold tier: %s changing it fails with FLOE-DQ107", (upper, lower) => {
    const result = mergeLayers(
      stack(
        upper,
        { quality_gates: { gold: { min_test_coverage: 100, overridable: false } } },
        lower,
        {
          quality_gates: { gold: { min_test_coverage: 90 }, silver: { min_test_coverage: 70 } },
        },
      ),
    );
    expect(result.diagnostics.map((d) => [d.code, d.path, d.file])).toEqual([
      ["FLOE-DQ107", "quality.quality_gates.gold.min_test_coverage", FILES[lower]],
    ]);
    expect(result.diagnostics[0]!.message).toBe(
      `quality.quality_gates.gold.min_test_coverage is locked by the ${upper} layer ` +
        `(${FILES[upper]}: quality.quality_gates.gold.overridable); ${FILES[lower]} sets it to 90, the locked value is 100`,
    );
    expect(result.settings.quality_gates).toEqual({
      gold: { min_test_coverage: 100, overridable: false },
      silver: { min_test_coverage: 70 },
    });
  });

  it.each(PAIRS)("%s leaves silver open: %s's silver wins", (upper, lower) => {
    const result = mergeLayers(
      stack(upper, { quality_gates: { silver: { min_test_coverage: 80, min_score: 75 } } }, lower, {
        quality_gates: { silver: { min_test_coverage: 60 } },
      }),
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.settings.quality_gates).toEqual({
      silver: { min_test_coverage: 60, min_score: 75 },
    });
  });

  it("a locked tier also locks the fields it takes from the defaults", () => {
    const result = mergeLayers([
      layer("enterprise", { quality_gates: { gold: { overridable: false } } }),
      layer("domain", {
        quality_gates: {
          gold: { required_tests: ["not_null", "unique", "accepted_values", "relationships"] },
        },
      }),
      layer("product", { quality_gates: { gold: { required_tests: ["not_null"] } } }),
    ]);
    // Repeating the default list is allowed; shortening it is not.
    expect(result.diagnostics.map((d) => d.path)).toEqual([
      "quality.quality_gates.gold.required_tests",
    ]);
  });

  it("re-opening a locked tier with overridable: true is FLOE-DQ107", () => {
    const result = mergeLayers([
      layer("enterprise", { quality_gates: { gold: { overridable: false } } }),
      layer("domain", { quality_gates: { gold: { overridable: true } } }),
    ]);
    expect(result.diagnostics.map((d) => d.path)).toEqual([
      "quality.quality_gates.gold.overridable",
    ]);
  });
});

describe("mergeLayers: merging", () => {
  it("objects merge key by key, lists are replaced", () => {
    const result = mergeLayers([
      layer("enterprise", {
        calculation: { baseline_score: 70, severity_weights: { critical: 3, info: 0.5 } },
        quality_gates: { silver: { required_tests: ["not_null", "unique"] } },
      }),
      layer("domain", {
        calculation: { severity_weights: { info: 0.25 } },
        quality_gates: { silver: { required_tests: ["unique"] } },
      }),
    ]);
    expect(result.settings).toEqual({
      calculation: { baseline_score: 70, severity_weights: { critical: 3, info: 0.25 } },
      quality_gates: { silver: { required_tests: ["unique"] } },
    });
  });

  it("FLOE-DQ107 points at the line of the override when the layer can locate", () => {
    const enterprise = parseEnterpriseManifest({
      file: "manifest.yaml",
      text: "scope: enterprise\nquality:\n  overrides:\n    dimension_weights: {overridable: false}\n",
    });
    const product = parseProduct({
      file: "floe.yaml",
      text: "name: shop\ncompute: {dialect: duckdb, path: x}\nquality:\n  dimension_weights:\n    accuracy: 0.3\n",
    });
    if (!enterprise.ok || !product.ok) throw new Error("fixtures must parse");
    const result = mergeLayers([
      {
        layer: "enterprise",
        file: "manifest.yaml",
        quality: enterprise.loaded.value.quality,
        locate: enterprise.loaded.locate,
      },
      {
        layer: "product",
        file: "floe.yaml",
        quality: product.loaded.value.quality,
        locate: product.loaded.locate,
      },
    ]);
    expect(result.diagnostics.map((d) => [d.file, d.path])).toEqual([
      ["floe.yaml:5:15", "quality.dimension_weights.accuracy"],
    ]);
  });
});

describe("resolveQualityConfig", () => {
  it("fills the seed defaults after the merge", () => {
    const resolved = resolveQualityConfig(
      mergeLayers([layer("enterprise", { thresholds: { min_score: 60 } }, "floe_sql")]),
    );
    expect(resolved.ok && resolved.config).toEqual({
      ...SEED_QUALITY_CONFIG,
      thresholds: { min_score: 60, warn_score: 85 },
    });
  });

  it("weights that stop summing to 1 after the merge are blamed on the last layer that wrote them", () => {
    const resolved = resolveQualityConfig(
      mergeLayers([
        layer("enterprise", {}, "floe_sql"),
        layer("domain", { dimension_weights: { timeliness: 0.05 } }),
      ]),
    );
    expect(resolved.diagnostics).toEqual([
      {
        code: "FLOE-DQ100",
        level: "error",
        file: FILES.domain,
        path: "quality.dimension_weights",
        message: "merged dimension weights sum to 0.9, not 1",
        fix: "Make completeness, accuracy, validity, consistency and timeliness sum to 1 across the layers.",
      },
    ]);
  });

  it("no provider in any layer is FLOE-DQ001", () => {
    const resolved = resolveQualityConfig(mergeLayers([layer("enterprise", {})]));
    expect(resolved.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ["FLOE-DQ001", "plugins.quality.provider"],
    ]);
  });

  it("required_tests take aliases (resolved to floe types) and reject unknown names", () => {
    const ok = resolveQualityConfig(
      mergeLayers([
        layer(
          "enterprise",
          { quality_gates: { silver: { required_tests: ["expect_column_values_to_be_unique"] } } },
          "floe_sql",
        ),
      ]),
    );
    expect(ok.ok && ok.config.quality_gates.silver.required_tests).toEqual(["unique"]);
    const bad = resolveQualityConfig(
      mergeLayers([
        layer(
          "enterprise",
          { quality_gates: { silver: { required_tests: ["uniqe"] } } },
          "floe_sql",
        ),
      ]),
    );
    expect(bad.diagnostics.map((d) => [d.code, d.file, d.path, d.message])).toEqual([
      [
        "FLOE-DQ100",
        FILES.enterprise,
        "quality.quality_gates.silver.required_tests[0]",
        "unknown check type 'uniqe' in required_tests (did you mean 'unique'?)",
      ],
    ]);
  });

  it("parses a domain manifest with locks of its own", () => {
    const result = parseDomainManifest({
      file: "d.yaml",
      text: "scope: domain\nquality:\n  overrides:\n    thresholds.min_score: {overridable: false}\n",
    });
    expect(result.ok && result.loaded.value.quality).toEqual({
      overrides: { "thresholds.min_score": { overridable: false } },
    });
  });
});
