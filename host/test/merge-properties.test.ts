// Invariants of the three-tier merge, over generated layers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LayerQuality } from "../src/config/files.js";
import { type ConfigLayer, LAYERS, mergeLayers } from "../src/config/merge.js";

/** The settings a generated layer may write, as dotted paths with value generators. */
const SETTINGS: Record<string, fc.Arbitrary<unknown>> = {
  "thresholds.min_score": fc.integer({ min: 0, max: 100 }),
  "thresholds.warn_score": fc.integer({ min: 0, max: 100 }),
  "calculation.baseline_score": fc.integer({ min: 0, max: 100 }),
  "calculation.severity_weights.info": fc.constantFrom(0.25, 0.5, 1),
  "quality_gates.silver.min_test_coverage": fc.integer({ min: 0, max: 100 }),
  "quality_gates.silver.required_tests": fc.subarray(["not_null", "unique", "accepted_values"]),
  check_timeout_seconds: fc.integer({ min: 1, max: 600 }),
};
const PATHS = Object.keys(SETTINGS);

const written = fc
  .dictionary(fc.constantFrom(...PATHS), fc.constant(null))
  .chain((keys) => fc.record(Object.fromEntries(Object.keys(keys).map((p) => [p, SETTINGS[p]!]))));

function tree(values: Record<string, unknown>): LayerQuality {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split(".");
    let node = out;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out as LayerQuality;
}

function valueAt(settings: Record<string, unknown>, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], settings);
}

describe("mergeLayers properties", () => {
  it("without locks, every setting takes the value of the lowest layer that writes it", () => {
    fc.assert(
      fc.property(fc.tuple(written, written, written), (values) => {
        const layers: ConfigLayer[] = LAYERS.map((layer, i) => ({
          layer,
          file: `${layer}.yaml`,
          quality: tree(values[i]!),
        }));
        const result = mergeLayers(layers);
        expect(result.diagnostics).toEqual([]);
        for (const path of PATHS) {
          const lowest = [...values].reverse().find((v) => path in v);
          expect(valueAt(result.settings, path)).toEqual(lowest?.[path]);
        }
      }),
    );
  });

  it("a setting the enterprise locks keeps the enterprise value, and every change below is one FLOE-DQ107", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATHS),
        fc.tuple(written, written, written),
        (locked, values) => {
          const top = { ...values[0], [locked]: values[0][locked] ?? 50 };
          if (locked.endsWith("required_tests") && !Array.isArray(top[locked])) top[locked] = [];
          const layers: ConfigLayer[] = [
            {
              layer: "enterprise",
              file: "e.yaml",
              quality: { ...tree(top), overrides: { [locked]: { overridable: false } } },
            },
            { layer: "domain", file: "d.yaml", quality: tree(values[1]) },
            { layer: "product", file: "p.yaml", quality: tree(values[2]) },
          ];
          const result = mergeLayers(layers);
          expect(valueAt(result.settings, locked)).toEqual(top[locked]);
          const changes = [values[1], values[2]].filter(
            (v) => locked in v && JSON.stringify(v[locked]) !== JSON.stringify(top[locked]),
          ).length;
          expect(result.diagnostics.map((d) => [d.code, d.path])).toEqual(
            Array.from({ length: changes }, () => ["FLOE-DQ107", `quality.${locked}`]),
          );
        },
      ),
    );
  });
});
