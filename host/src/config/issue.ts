// Schema refinements raise zod issues; these carry the FLOE-DQ code and the fix so the
// loader can turn each issue into a Diagnostic without guessing.
import type { FloeErrorCode } from "@floe/quality-sdk";
import type { z } from "zod";

export interface FloeIssueParams {
  floe_code: FloeErrorCode;
  fix?: string;
}

type IssueContext = Pick<z.core.$RefinementCtx<unknown>, "addIssue">;

export function addFloeIssue(
  ctx: IssueContext,
  code: FloeErrorCode,
  message: string,
  path: PropertyKey[],
  fix?: string,
): void {
  const params: FloeIssueParams =
    fix === undefined ? { floe_code: code } : { floe_code: code, fix };
  ctx.addIssue({ code: "custom", message, path, params, input: undefined });
}

export function floeIssueParams(issue: z.core.$ZodIssue): FloeIssueParams | undefined {
  if (issue.code !== "custom") return undefined;
  const params = issue.params as Partial<FloeIssueParams> | undefined;
  return params?.floe_code ? (params as FloeIssueParams) : undefined;
}
