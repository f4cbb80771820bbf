# syntax=docker/dockerfile:1

# --- check: type-check and validate the content with the dev tools; a broken content file fails the build ---
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
COPY bench ./bench
COPY test ./test
COPY content ./content
COPY locales ./locales
RUN npm run typecheck && npm run content:check

# --- runtime: production dependencies only, non-root, data on a volume ---
FROM node:20-slim AS runtime
WORKDIR /app
# The heap cap keeps memory near 150 MB under bursts (V8 otherwise grows the heap before collecting);
# the bot's live data is a few tens of MB. Override NODE_OPTIONS to change it.
ENV NODE_ENV=production \
    DATABASE_PATH=/app/data/bot.sqlite \
    NODE_OPTIONS=--max-old-space-size=128
COPY package.json package-lock.json ./
# better-sqlite3 is a native addon: the build tools are installed for `npm ci` and removed in the same layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev \
 && npm cache clean --force \
 && apt-get purge -y python3 make g++ \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
COPY content ./content
COPY locales ./locales
# Transpile once at build time (esbuild is a production dependency); the container then runs plain JavaScript.
RUN npm run build \
 && mkdir -p /app/data \
 && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# With PORT set (always in webhook mode) the bot serves /healthz, which checks the database. In plain
# polling mode there is no HTTP server, so the check passes while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "const p=process.env.PORT||(process.env.WEBHOOK_URL?8080:0);if(!p)process.exit(0);fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
