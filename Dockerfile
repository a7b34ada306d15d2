# syntax=docker/dockerfile:1
# One image, two processes: the API (default) or the worker, chosen by the command.
#   docker build -t temporal-http .
#   docker run -p 3000:3000 -e TEMPORAL_ADDRESS=host:7233 temporal-http
#   docker run -e TEMPORAL_ADDRESS=host:7233 --no-healthcheck temporal-http node dist/worker/main.js
# Node 24 LTS on Debian (glibc: the Temporal core-bridge native module has no musl/alpine build).
ARG NODE_IMAGE=node:24-trixie-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# No install-time analytics ping from @scarf/scarf.
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# tsc into dist/, plus the prebuilt workflow bundles (dist/workflow-bundle.js, and -traced.js for workers exporting
# traces) the worker loads instead of webpack.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the process: the app never writes to its own code.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The base image's `node` user, numeric so that Kubernetes runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
# No curl in slim images: node asks /healthz. The worker listens nowhere: run it with --no-healthcheck.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (both processes shut down gracefully on it).
CMD ["node", "dist/api/main.js"]
