# syntax=docker/dockerfile:1
# muster: build once with the toolchain, run without it, as a non-root user,
# with the SQLite database on a volume. PostgreSQL: set DATABASE_URL.
#
#   docker build -t muster .
#   docker run --env-file muster.env -p 3000:3000 -v muster-data:/data muster

ARG NODE_VERSION=20.20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY src ./src
COPY bin ./bin
# `npm ci` generates the Prisma client and compiles TypeScript (postinstall);
# the dev tools are then dropped from node_modules.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim
LABEL org.opencontainers.image.title="muster" \
      org.opencontainers.image.description="Self-hosted, Slack-first incident response bot" \
      org.opencontainers.image.licenses="MIT"
# pg_dump / pg_restore, for `muster backup` and drills on PostgreSQL. Its major
# version must be at least the server's: bookworm ships 15.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=file:/data/muster.db \
    BACKUP_DIR=/data/backups
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/prisma/migrations ./prisma/migrations
RUN mkdir -p /data/backups && chown -R node:node /data \
 && ln -s /app/bin/muster.js /usr/local/bin/muster
USER node
VOLUME ["/data"]
EXPOSE 3000
# /readyz: the database answers, migrations are applied, the worker runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
