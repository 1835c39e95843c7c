# syntax=docker/dockerfile:1
# dbt_expectations as a sidecar: the TypeScript plugin driving real dbt-core
# (dbt-duckdb, dbt-postgres) installed from the pinned requirements.txt.
# Build from the repository root:
#   docker build -f deploy/images/plugin-dbt.Dockerfile -t floe-quality/plugin-dbt:0.1.0 .
# Run with FLOE_PLUGIN_LISTEN=unix:///run/floe/dbt_expectations.sock and a
# writable FLOE_DBT_WORKDIR (an emptyDir when the root filesystem is read-only).

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY sdk/package.json sdk/
COPY host/package.json host/
COPY plugins/sql/package.json plugins/sql/
COPY plugins/dbt/package.json plugins/dbt/
COPY conformance/package.json conformance/
RUN npm ci --workspace sdk --workspace plugins/dbt --include-workspace-root --no-audit --no-fund
COPY sdk/tsconfig.json sdk/
COPY sdk/src sdk/src
COPY plugins/dbt/tsconfig.json plugins/dbt/
COPY plugins/dbt/src plugins/dbt/src
RUN npx tsc -b sdk plugins/dbt

FROM node:20.20.2-bookworm-slim
# Debian bookworm's python3 is 3.11, the version requirements.txt is resolved for.
RUN apt-get update \
  && apt-get install --yes --no-install-recommends python3 python3-venv \
  && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
# requirements.txt as constraints: only dbt and what it needs, at the pinned versions.
RUN python3 -m venv /opt/dbt \
  && /opt/dbt/bin/pip install --no-cache-dir --disable-pip-version-check \
     -c /tmp/requirements.txt dbt-core dbt-duckdb dbt-postgres \
  && /opt/dbt/bin/pip check \
  && rm /tmp/requirements.txt
ENV NODE_ENV=production FLOE_DBT=/opt/dbt/bin/dbt FLOE_DBT_WORKDIR=/tmp/floe-dbt
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json sdk/
COPY host/package.json host/
COPY plugins/sql/package.json plugins/sql/
COPY plugins/dbt/package.json plugins/dbt/
COPY conformance/package.json conformance/
RUN npm ci --omit=dev --workspace sdk --workspace plugins/dbt --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/sdk/dist sdk/dist
COPY --from=build /app/plugins/dbt/dist plugins/dbt/dist
COPY plugins/dbt/floe-plugin.json plugins/dbt/
COPY plugins/dbt/dbt_packages_src plugins/dbt/dbt_packages_src
COPY deploy/images/probe/grpc-health-probe.mjs /app/deploy/probe/grpc-health-probe.mjs
RUN groupadd --system --gid 10001 floe \
  && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin floe
USER 10001:10001
ENTRYPOINT ["node", "/app/plugins/dbt/dist/main.js"]
