// The project's own model of the OpenLineage 2-0-2 RunEvent and of the facets it
// emits, written from the spec. Tests validate every event with it; CI also
// validates real events against the official JSON Schemas.
import { z } from "zod";

const uri = z.url();
const baseFacet = z.looseObject({ _producer: uri, _schemaURL: uri });
const uuid = z.uuid();

const assertion = z.strictObject({
  assertion: z.string(),
  success: z.boolean(),
  column: z.string().optional(),
  severity: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  content: z.string().optional(),
  contentType: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

const columnMetric = z.strictObject({
  nullCount: z.number().int().optional(),
  distinctCount: z.number().int().optional(),
  sum: z.number().optional(),
  count: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  quantiles: z.record(z.string(), z.number()).optional(),
});

export const RunEventSchema = z.strictObject({
  eventType: z.enum(["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]),
  eventTime: z.iso.datetime({ offset: true }),
  producer: uri,
  schemaURL: uri,
  run: z.strictObject({
    runId: uuid,
    facets: z
      .looseObject({
        parent: baseFacet
          .extend({
            run: z.looseObject({ runId: uuid }),
            job: z.looseObject({ namespace: z.string(), name: z.string() }),
          })
          .optional(),
        errorMessage: baseFacet
          .extend({ message: z.string(), programmingLanguage: z.string() })
          .optional(),
        floeQualityScore: baseFacet
          .extend({
            overall: z.number().min(0).max(100),
            dimension_scores: z.record(z.string(), z.number().min(0).max(100)),
            checks_passed: z.number().int().nonnegative(),
            checks_failed: z.number().int().nonnegative(),
          })
          .optional(),
        floeQualityError: baseFacet
          .extend({
            cause: z.enum(["unavailable", "timeout", "config", "internal"]),
            retryable: z.boolean(),
            code: z.string().regex(/^FLOE-DQ\d{3}$/),
            checks: z.array(
              z.strictObject({
                name: z.string(),
                cause: z.enum(["unavailable", "timeout", "config", "internal"]),
                retryable: z.boolean(),
                code: z.string(),
              }),
            ),
          })
          .optional(),
      })
      .catchall(baseFacet)
      .optional(),
  }),
  job: z.strictObject({
    namespace: z.string().min(1),
    name: z.string().min(1),
    facets: z.record(z.string(), baseFacet).optional(),
  }),
  inputs: z.array(
    z.strictObject({
      namespace: z.string().min(1),
      name: z.string().min(1),
      facets: z.record(z.string(), baseFacet).optional(),
      inputFacets: z
        .looseObject({
          dataQualityAssertions: baseFacet.extend({ assertions: z.array(assertion) }).optional(),
          dataQualityMetrics: baseFacet
            .extend({
              rowCount: z.number().int().optional(),
              columnMetrics: z.record(z.string(), columnMetric),
            })
            .optional(),
        })
        .catchall(baseFacet)
        .optional(),
    }),
  ),
  outputs: z.array(z.looseObject({ namespace: z.string(), name: z.string() })),
});
