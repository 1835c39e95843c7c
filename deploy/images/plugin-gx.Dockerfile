# syntax=docker/dockerfile:1
# great_expectations as a sidecar: Great Expectations Core on the Python plugin SDK.
# Build from the repository root:
#   docker build -f deploy/images/plugin-gx.Dockerfile -t floe-quality/plugin-gx:0.1.0 .
# Run with FLOE_PLUGIN_LISTEN=unix:///run/floe/great_expectations.sock.

FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.txt ./
COPY proto proto
COPY sdk/python sdk/python
COPY plugins/gx plugins/gx
# The Python stubs are generated from proto/ (they are not committed), with the
# pinned grpcio-tools in a throwaway environment.
RUN python -m venv /opt/tools \
  && /opt/tools/bin/pip install -c requirements.txt grpcio-tools \
  && /opt/tools/bin/python -m grpc_tools.protoc -I proto \
     --python_out=sdk/python/src --pyi_out=sdk/python/src --grpc_python_out=sdk/python/src \
     proto/floe/quality/v1/*.proto
# requirements.txt as constraints: the SDK, the plugin and what they need, at the
# pinned versions (setuptools first: the local packages build without isolation).
RUN python -m venv /opt/venv \
  && /opt/venv/bin/pip install -c requirements.txt setuptools \
  && /opt/venv/bin/pip install --no-build-isolation -c requirements.txt ./sdk/python ./plugins/gx \
  && /opt/venv/bin/pip check

FROM python:3.11.7-slim-bookworm
COPY --from=build /opt/venv /opt/venv
COPY plugins/gx/floe-plugin.json /app/plugins/gx/floe-plugin.json
COPY deploy/images/probe/grpc_health_probe.py /app/deploy/probe/grpc_health_probe.py
RUN groupadd --system --gid 10001 floe \
  && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin floe
# GX writes its caches under HOME: a writable emptyDir in Kubernetes.
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 HOME=/tmp
USER 10001:10001
WORKDIR /app
ENTRYPOINT ["python", "-m", "floe_quality_gx"]
