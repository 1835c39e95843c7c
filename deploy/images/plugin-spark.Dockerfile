# syntax=docker/dockerfile:1
# floe_spark as a sidecar: pyspark on the Python plugin SDK. It reaches a remote
# Spark Connect endpoint (compute.host, token as ${env:…}); set FLOE_SPARK_LOCAL=0
# then, so no local JVM starts. The image also carries a Java 17 runtime for
# local sessions (compute without a host: small tables, tests).
# Build from the repository root:
#   docker build -f deploy/images/plugin-spark.Dockerfile -t floe-quality/plugin-spark:0.1.0 .
# Run with FLOE_PLUGIN_LISTEN=unix:///run/floe/floe_spark.sock.

FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.txt ./
COPY proto proto
COPY sdk/python sdk/python
COPY plugins/spark plugins/spark
# The Python stubs are generated from proto/ (they are not committed), with the
# pinned grpcio-tools in a throwaway environment.
RUN python -m venv /opt/tools \
  && /opt/tools/bin/pip install -c requirements.txt grpcio-tools \
  && /opt/tools/bin/python -m grpc_tools.protoc -I proto \
     --python_out=sdk/python/src --pyi_out=sdk/python/src --grpc_python_out=sdk/python/src \
     proto/floe/quality/v1/*.proto
# requirements.txt as constraints: the SDK, the plugin and pyspark[connect] at
# the pinned versions (setuptools first: the local packages build without isolation).
RUN python -m venv /opt/venv \
  && /opt/venv/bin/pip install -c requirements.txt setuptools \
  && /opt/venv/bin/pip install --no-build-isolation -c requirements.txt ./sdk/python ./plugins/spark \
  && /opt/venv/bin/pip check

FROM python:3.11.7-slim-bookworm
RUN apt-get update \
  && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
COPY plugins/spark/floe-plugin.json /app/plugins/spark/floe-plugin.json
COPY deploy/images/probe/grpc_health_probe.py /app/deploy/probe/grpc_health_probe.py
RUN groupadd --system --gid 10001 floe \
  && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin floe
# Spark writes its scratch files under HOME and /tmp: a writable emptyDir in Kubernetes.
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 HOME=/tmp
USER 10001:10001
WORKDIR /app
ENTRYPOINT ["python", "-m", "floe_quality_spark"]
