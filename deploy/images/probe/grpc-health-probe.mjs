#!/usr/bin/env node
// Kubernetes exec probe for a floe-quality gRPC server (host or plugin sidecar):
// one grpc.health.v1 Check; exit 0 when SERVING, 1 otherwise (with the reason on
// stderr). The kubelet's own gRPC probe cannot reach a Unix socket nor speak TLS.
//   node grpc-health-probe.mjs ADDRESS [--service NAME] [--timeout-ms MS]
//                              [--tls-ca FILE [--tls-cert FILE --tls-key FILE] [--server-name NAME]]
// ADDRESS: unix:///run/floe/p.sock, or host:port (plain TCP only without --tls-ca).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { credentials, Metadata, makeGenericClientConstructor } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

const USAGE =
  "usage: grpc-health-probe.mjs ADDRESS [--service NAME] [--timeout-ms MS] [--tls-ca FILE [--tls-cert FILE --tls-key FILE] [--server-name NAME]]";

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      service: { type: "string", default: "" },
      "timeout-ms": { type: "string", default: "2000" },
      "tls-ca": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "server-name": { type: "string" },
    },
  });
} catch (error) {
  fail(`${error.message}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (positionals.length !== 1) fail(USAGE);
const address = positionals[0];
const timeoutMs = Number(values["timeout-ms"]);
if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
  fail(`--timeout-ms: not a positive integer\n${USAGE}`);
if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
  fail(`--tls-cert and --tls-key go together\n${USAGE}`);
}

const read = (file) => (file === undefined ? null : readFileSync(file));
const channelCredentials =
  values["tls-ca"] === undefined
    ? credentials.createInsecure()
    : credentials.createSsl(
        read(values["tls-ca"]),
        read(values["tls-key"]),
        read(values["tls-cert"]),
      );
const options =
  values["server-name"] === undefined
    ? {}
    : { "grpc.ssl_target_name_override": values["server-name"] };

const HealthClient = makeGenericClientConstructor(healthService, "Health");
const client = new HealthClient(address, channelCredentials, options);
client.check(
  { service: values.service },
  new Metadata(),
  { deadline: Date.now() + timeoutMs },
  (error, response) => {
    client.close();
    if (error) fail(`${address}: health check failed: ${error.details || error.message}`);
    if (response.status !== "SERVING")
      fail(`${address}: ${values.service || '""'} is ${response.status}`);
    process.exit(0);
  },
);
