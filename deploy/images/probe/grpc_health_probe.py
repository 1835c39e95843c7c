"""Kubernetes exec probe for a Python plugin sidecar: one grpc.health.v1 Check
over the plugin's socket; exit 0 when SERVING, 1 otherwise (reason on stderr).
The kubelet's own gRPC probe cannot reach a Unix socket.

    python grpc_health_probe.py unix:///run/floe/p.sock [--service NAME] [--timeout SECONDS]
"""

import argparse
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="grpc.health.v1 Check of a plugin sidecar")
    parser.add_argument("address", help="unix:///path/p.sock (grpcio also takes host:port, plain)")
    parser.add_argument("--service", default="")
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args(argv)
    # grpcio spells an absolute Unix socket unix:/path; the protocol's unix:///path is the same.
    target = "unix:" + args.address[len("unix://") :] if args.address.startswith("unix://") else args.address
    with grpc.insecure_channel(target) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=args.service), timeout=args.timeout
            )
        except grpc.RpcError as error:
            sys.stderr.write(f"{args.address}: health check failed: {error.code().name} {error.details()}\n")
            return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    if status != "SERVING":
        sys.stderr.write(f"{args.address}: {args.service or repr('')} is {status}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
