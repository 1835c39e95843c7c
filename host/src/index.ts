// The public surface of @floe/quality-host: the few names a user needs.
export {
  type Diagnostic,
  DiagnosticsError,
  diagnostic,
  renderDiagnostic,
} from "./errors/index.js";
export {
  connectPlugin,
  discoverPlugins,
  launchCommand,
  type PluginDescriptor,
  type RunningPlugin,
  resolveProvider,
  startPlugin,
} from "./plugins/index.js";
