# syntax=docker/dockerfile:1
# The floe-quality host: the `floe-quality` CLI, started as `floe-quality serve`.
# Build from the repository root (the build context is the whole repository):
#   docker build -f deploy/images/host.Dockerfile -t floe-quality/host:0.1.0 .
# Only the sdk and host workspaces are installed: in Kubernetes the plugins run
# as sidecars (deploy/kubernetes), so the host spawns none.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# Every workspace's package.json: npm ci checks the lockfile against all of them.
COPY package.json package-lock.json tsconfig.base.json ./
COPY sdk/package.json sdk/
COPY host/package.json host/
COPY plugins/sql/package.json plugins/sql/
COPY plugins/dbt/package.json plugins/dbt/
COPY conformance/package.json conformance/
RUN npm ci --workspace sdk --workspace host --include-workspace-root --no-audit --no-fund
COPY sdk/tsconfig.json sdk/
COPY sdk/src sdk/src
COPY host/tsconfig.json host/
COPY host/src host/src
RUN npx tsc -b sdk host

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json sdk/
COPY host/package.json host/
COPY plugins/sql/package.json plugins/sql/
COPY plugins/dbt/package.json plugins/dbt/
COPY conformance/package.json conformance/
RUN npm ci --omit=dev --workspace sdk --workspace host --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/sdk/dist sdk/dist
COPY --from=build /app/host/dist host/dist
COPY host/bin host/bin
# Server reflection serves the contract from these files.
COPY proto proto
COPY deploy/images/probe/grpc-health-probe.mjs /app/deploy/probe/grpc-health-probe.mjs
RUN groupadd --system --gid 10001 floe \
  && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin floe
# Numeric, so Kubernetes can verify runAsNonRoot. Host and sidecars share this
# uid: plugin sockets are 0600.
USER 10001:10001
EXPOSE 50051
ENTRYPOINT ["node", "/app/host/bin/floe-quality.js"]
CMD ["serve"]
