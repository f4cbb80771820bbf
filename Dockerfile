# syntax=docker/dockerfile:1

# --- check: type-check, validate the content and build the offline guide with all dev tools ---
FROM node:20-slim AS check
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json vitest.config.ts ./
COPY src ./src
COPY scripts ./scripts
COPY content ./content
COPY locales ./locales
COPY test ./test
COPY bench ./bench
RUN npm run typecheck && npm run content:check && npm run build:guide -- dist/guide

# --- runtime: production dependencies only, non-root, data on a volume ---
FROM node:20-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    DATABASE_PATH=/app/data/bot.sqlite
COPY package.json package-lock.json ./
# better-sqlite3 is a native addon: build tools are installed for `npm ci` and removed in the same layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev \
 && npm cache clean --force \
 && apt-get purge -y python3 make g++ \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY src ./src
COPY content ./content
COPY locales ./locales
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# In webhook mode (or with PORT set) the bot serves /healthz; in plain polling mode there is no
# HTTP server, so the check passes as long as the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "const p=process.env.PORT||(process.env.WEBHOOK_URL?8080:0);if(!p)process.exit(0);fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
