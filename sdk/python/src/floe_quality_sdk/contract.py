"""The generated contract (proto/floe/quality/v1), built from proto/ by
scripts/setup-python.sh with grpcio-tools into the top-level package
floe.quality.v1 that this distribution ships."""

try:
    from floe.quality.v1 import host_pb2, host_pb2_grpc, plugin_pb2, plugin_pb2_grpc, types_pb2
except ModuleNotFoundError as error:  # pragma: no cover - depends on the set-up having run
    raise ModuleNotFoundError(
        "floe_quality_sdk: the generated stubs (floe.quality.v1) are missing; "
        "run 'bash scripts/setup-python.sh' to generate them from proto/"
    ) from error

__all__ = ["host_pb2", "host_pb2_grpc", "plugin_pb2", "plugin_pb2_grpc", "types_pb2"]
