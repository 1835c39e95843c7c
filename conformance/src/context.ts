// What every test sees: the plugin under test (restarted when a test killed it),
// its metadata, and the fixtures built for each dialect the suite can provide.
import type { contract } from "@floe/quality-sdk";
import type { Dialect, Fixture } from "./fixture/index.js";
import type { ConformanceOptions } from "./options.js";
import type { PluginClients } from "./rpc.js";
import type { PluginSession, PluginTarget } from "./target.js";

export interface SuiteContext {
  readonly options: ConformanceOptions;
  readonly target: PluginTarget;
  /** The running plugin; tests that end it start a fresh one through the target. */
  session(): Promise<PluginSession>;
  clients(): Promise<PluginClients>;
  /** Undefined when GetMetadata failed; tests that need it are skipped. */
  readonly metadata: contract.GetMetadataResponse | undefined;
  /** Why the plugin could not be started or described, when it could not. */
  readonly startupProblem: string | undefined;
  /** The dialect the semantics groups run on, when the plugin claims one the suite can provide. */
  readonly dialect: Dialect | undefined;
  /** Why `dialect` is undefined. */
  readonly dialectProblem: string | undefined;
  fixture(dialect: Dialect): Fixture | undefined;
}

export function capabilitiesOf(ctx: SuiteContext): contract.Capabilities | undefined {
  return ctx.metadata?.capabilities;
}

export function declaredCheckTypes(ctx: SuiteContext): readonly string[] {
  return capabilitiesOf(ctx)?.checkTypes ?? [];
}

export function declares(ctx: SuiteContext, checkType: string): boolean {
  return declaredCheckTypes(ctx).includes(checkType);
}

/** Skip reason when the plugin is not running and described. */
export function needsRunningPlugin(ctx: SuiteContext): string | undefined {
  if (ctx.startupProblem !== undefined) return `the plugin did not start: ${ctx.startupProblem}`;
  if (ctx.metadata === undefined) return "GetMetadata failed, so capabilities are unknown";
  return undefined;
}

/** Skip reason for tests that run checks on the primary fixture. */
export function needsFixture(ctx: SuiteContext): string | undefined {
  return needsRunningPlugin(ctx) ?? ctx.dialectProblem;
}

export function primaryFixture(ctx: SuiteContext): Fixture {
  const fixture = ctx.dialect === undefined ? undefined : ctx.fixture(ctx.dialect);
  if (fixture === undefined) throw new Error("no fixture for the selected dialect");
  return fixture;
}

/** Skip reason when the suite did not start the plugin process itself. */
export function needsOwnProcess(ctx: SuiteContext): string | undefined {
  return ctx.target.launch === undefined
    ? "the plugin runs as a sidecar (--plugin-addr): the suite does not own its process"
    : undefined;
}
