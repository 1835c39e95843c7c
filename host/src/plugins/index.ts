// Plugins: discovery, the supervisor that runs them, and the typed client.
export {
  type CallSettings,
  PluginCallError,
  PluginClient,
  type RunChecksSettings,
} from "./client.js";
export {
  type Discovery,
  type DiscoveryOptions,
  defaultWorkspaceRoot,
  discoverPlugins,
  launchCommand,
  type PluginDescriptor,
  type PluginRuntime,
  resolveProvider,
} from "./discover.js";
export { type Handshake, parseHandshakeLine } from "./handshake.js";
export {
  connectPlugin,
  type PluginLogEntry,
  type PluginState,
  type RestartPolicy,
  type RunningPlugin,
  type SidecarOptions,
  type StartTimings,
  type SupervisorOptions,
  startPlugin,
} from "./supervisor.js";
