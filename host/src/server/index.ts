// Server: the QualityHost gRPC API for orchestrators (`floe-quality serve`).
export {
  checkListenSecurity,
  DEFAULT_LISTEN,
  type ListenAddress,
  ListenRefused,
  type ListenSecurity,
  parseListenAddress,
} from "./listen.js";
export {
  credentialsFor,
  HOST_SERVICE_NAME,
  type HostServer,
  type HostServerOptions,
  startHostServer,
} from "./server.js";
