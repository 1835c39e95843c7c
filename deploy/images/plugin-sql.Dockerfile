# syntax=docker/dockerfile:1
# floe_sql as a sidecar: the native fused-scan engine (DuckDB files, PostgreSQL).
# Build from the repository root:
#   docker build -f deploy/images/plugin-sql.Dockerfile -t floe-quality/plugin-sql:0.1.0 .
# Run with FLOE_PLUGIN_LISTEN=unix:///run/floe/floe_sql.sock (docs/plugin-protocol.md §10).

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY sdk/package.json sdk/
COPY host/package.json host/
COPY plugins/sql/package.json plugins/sql/
COPY plugins/dbt/package.json plugins/dbt/
COPY conformance/package.json conformance/
RUN npm ci --workspace sdk --workspace plugins/sql --include-workspace-root --no-audit --no-fund
COPY sdk/tsconfig.json sdk/
COPY sdk/src sdk/src
COPY plugins/sql/tsconfig.json plugins/sql/
COPY plugins/sql/src plugins/sql/src
RUN npx tsc -b sdk plugins/sql

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json sdk/
COPY host/package.json host/
COPY plugins/sql/package.json plugins/sql/
COPY plugins/dbt/package.json plugins/dbt/
COPY conformance/package.json conformance/
RUN npm ci --omit=dev --workspace sdk --workspace plugins/sql --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/sdk/dist sdk/dist
COPY --from=build /app/plugins/sql/dist plugins/sql/dist
COPY plugins/sql/floe-plugin.json plugins/sql/
COPY deploy/images/probe/grpc-health-probe.mjs /app/deploy/probe/grpc-health-probe.mjs
RUN groupadd --system --gid 10001 floe \
  && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin floe
USER 10001:10001
ENTRYPOINT ["node", "/app/plugins/sql/dist/main.js"]
