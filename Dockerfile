# syntax=docker/dockerfile:1
# meltgen: synthetic MELT telemetry service.
#   docker build -t meltgen .                                  (the API: the last stage, `api`)
#   docker run -p 3000:3000 -v meltgen-data:/data meltgen
#   docker build --target worker -t meltgen-worker .           (a cluster worker node)
# A cluster of API nodes and workers on one machine: docker-compose.yml.

# Stage 1: compile the TypeScript and the web console (npm ci runs `prepare`, which builds dist/).
# better-sqlite3 is a native addon: the toolchain lives in the build stages only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web console's sources: `npm run build` builds them into dist/web with Vite.
COPY web ./web
RUN npm ci --no-audit --no-fund

# Stage 2: production dependencies only (without a compiler, `prepare` builds nothing).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Stage 3: what both images share: the runtime, without compilers. No CMD: the two targets below
# say what they run.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    MELT_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

# Target `worker`: a cluster worker node (`npm run worker`), as the unprivileged `node` user.
#   docker build --target worker -t meltgen-worker .
# It needs MELT_REDIS_URL, MELT_DATABASE_URL and the same shared /data as the API nodes
# (see docker-compose.yml); it serves GET /healthz and GET /metrics on MELT_WORKER_PORT.
FROM runtime AS worker
ENV MELT_WORKER_PORT=3001
USER node
EXPOSE 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.MELT_WORKER_PORT || 3001) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/cli/worker.js"]

# Target `api`, the last stage and so the default image: the service (embedded mode, or an API node
# of a cluster when MELT_REDIS_URL and MELT_DATABASE_URL are set), as the unprivileged `node` user.
FROM runtime AS api
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/server.js"]
