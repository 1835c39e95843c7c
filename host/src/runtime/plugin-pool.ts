// One plugin per provider for the life of the host: started (or dialled) on first
// use, reused across runs, restarted by its supervisor; at most `concurrency`
// calls in flight per plugin, later calls wait in order.
import { FloeError } from "@floe/quality-sdk";
import { status } from "@grpc/grpc-js";
import {
  connectPlugin,
  type Discovery,
  defaultWorkspaceRoot,
  discoverPlugins,
  PluginCallError,
  type PluginState,
  type RunningPlugin,
  resolveProvider,
  type SidecarOptions,
  type SupervisorOptions,
  startPlugin,
} from "../plugins/index.js";

export interface PluginPoolOptions {
  /** Plugins searched here (plugins/*, node_modules/@floe/*); see `defaultWorkspaceRoot`. */
  workspaceRoot?: string;
  env?: NodeJS.ProcessEnv;
  /** Providers served by sidecars: dialled at their address instead of spawned. */
  sidecars?: Readonly<Record<string, Omit<SidecarOptions, "name">>>;
  /** Calls in flight per plugin; default 4. */
  concurrency?: number;
  supervisor?: SupervisorOptions;
}

export interface PluginSummary {
  name: string;
  provider: string;
  descriptorPath: string;
  runtime: string;
  version: string;
  dialects: string[];
  state: PluginState | "not started" | "sidecar";
}

/**
 * A plugin that cannot be started or dialled is UNAVAILABLE (worth retrying),
 * unlike an unknown provider (a configuration mistake).
 */
async function unavailableIfFailed(
  provider: string,
  starting: Promise<RunningPlugin>,
): Promise<RunningPlugin> {
  try {
    return await starting;
  } catch (error) {
    if (!(error instanceof FloeError) || error instanceof PluginCallError) throw error;
    throw new PluginCallError(provider, status.UNAVAILABLE, error.code, error.message, {
      ...(error.file === undefined ? {} : { file: error.file }),
      ...(error.path === undefined ? {} : { path: error.path }),
      fix: error.fix,
    });
  }
}

class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

interface Entry {
  plugin: Promise<RunningPlugin>;
  slots: Slots;
}

export class PluginPool {
  private readonly options: PluginPoolOptions;
  private readonly entries = new Map<string, Entry>();
  private discovery: Discovery | undefined;
  private closed = false;

  constructor(options: PluginPoolOptions = {}) {
    this.options = options;
  }

  /** Discovered plugins, searched once per pool. */
  discover(): Discovery {
    this.discovery ??= discoverPlugins({
      workspaceRoot: this.options.workspaceRoot ?? defaultWorkspaceRoot(),
      env: this.options.env ?? process.env,
    });
    return this.discovery;
  }

  /**
   * Runs `work` with the provider's plugin once a slot is free. `spawnEnv` is
   * added to the environment of a plugin this call starts (TRACEPARENT).
   */
  async withPlugin<T>(
    provider: string,
    work: (plugin: RunningPlugin) => Promise<T>,
    spawnEnv: NodeJS.ProcessEnv = {},
  ): Promise<T> {
    const entry = this.entryFor(provider, spawnEnv);
    return entry.slots.run(async () => work(await entry.plugin));
  }

  private entryFor(provider: string, spawnEnv: NodeJS.ProcessEnv): Entry {
    if (this.closed) throw new Error("the plugin pool is closed");
    const existing = this.entries.get(provider);
    if (existing !== undefined) return existing;
    const plugin = this.launch(provider, spawnEnv);
    const entry: Entry = { plugin, slots: new Slots(this.options.concurrency ?? 4) };
    this.entries.set(provider, entry);
    // A plugin that could not start is tried again by the next run, not cached as dead.
    plugin.then(
      (running) => {
        if (running.state() === "failed") this.entries.delete(provider);
      },
      () => {
        if (this.entries.get(provider) === entry) this.entries.delete(provider);
      },
    );
    return entry;
  }

  private async launch(provider: string, spawnEnv: NodeJS.ProcessEnv): Promise<RunningPlugin> {
    const sidecar = this.options.sidecars?.[provider];
    if (sidecar !== undefined) {
      return unavailableIfFailed(provider, connectPlugin({ ...sidecar, name: provider }));
    }
    const descriptor = resolveProvider(this.discover(), provider);
    return unavailableIfFailed(
      provider,
      startPlugin(descriptor, {
        ...this.options.supervisor,
        env: { ...this.options.supervisor?.env, ...spawnEnv },
      }),
    );
  }

  /** Forgets a plugin that failed for good, so the next run starts it afresh. */
  async evictFailed(provider: string): Promise<void> {
    const entry = this.entries.get(provider);
    if (entry === undefined) return;
    const running = await entry.plugin.catch(() => undefined);
    if (running === undefined || running.state() === "failed") {
      if (this.entries.get(provider) === entry) this.entries.delete(provider);
      await running?.stop().catch(() => undefined);
    }
  }

  /** Every plugin known: discovered ones and sidecars, with the state of those started. */
  async list(): Promise<PluginSummary[]> {
    const out: PluginSummary[] = [];
    const started = async (provider: string) => {
      const entry = this.entries.get(provider);
      return entry === undefined ? undefined : await entry.plugin.catch(() => undefined);
    };
    for (const [provider, sidecar] of Object.entries(this.options.sidecars ?? {})) {
      const running = await started(provider);
      out.push({
        name: running?.metadata.name ?? provider,
        provider,
        descriptorPath: "",
        runtime: `sidecar ${sidecar.address}`,
        version: running?.metadata.version ?? "",
        dialects: running?.metadata.capabilities?.dialects ?? [],
        state: running?.state() ?? "sidecar",
      });
    }
    for (const d of this.discover().plugins) {
      if (this.options.sidecars?.[d.provider] !== undefined) continue;
      const running = await started(d.provider);
      out.push({
        name: d.name,
        provider: d.provider,
        descriptorPath: d.file,
        runtime: d.runtime,
        version: d.version,
        dialects: running?.metadata.capabilities?.dialects ?? [],
        state: running?.state() ?? "not started",
      });
    }
    return out;
  }

  /** Stops every plugin (Shutdown, then signals); waits for all. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      entries.map(async (e) => {
        const running = await e.plugin.catch(() => undefined);
        await running?.stop().catch(() => undefined);
      }),
    );
  }
}
