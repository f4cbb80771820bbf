# syntax=docker/dockerfile:1
# Node 24 LTS (Node 20 reached end of life on 30 April 2026; the code still runs on 20, which CI also tests).

# --- check: type-check, build and validate the content with the dev tools (esbuild, TypeScript).
# The runtime stage copies this stage's marker and its build (dist/src), so BuildKit must run it,
# and a broken content file fails the build. ---
FROM node:24-slim AS check
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json vitest.config.ts ./
COPY scripts ./scripts
COPY src ./src
COPY tools ./tools
COPY bench ./bench
COPY test ./test
COPY content ./content
COPY locales ./locales
# content:check builds dist/ first (its pre-step, npm run build), then checks the content with it.
RUN npm run typecheck && npm run content:check && touch /app/.checked

# --- runtime: only what the bot runs (the JavaScript built in the check stage, content, locales,
# production dependencies), as the unprivileged `node` user, data on a volume ---
FROM node:24-slim AS runtime
WORKDIR /app
COPY --from=check /app/.checked /app/.checked
ENV NODE_ENV=production \
    DATABASE_PATH=/app/data/bot.sqlite
COPY package.json package-lock.json ./
# better-sqlite3 is a native addon: the build tools are there for `npm ci` in case no prebuilt
# binary can be fetched (then it compiles, silently, for a few minutes) and removed in the same layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev \
 && npm cache clean --force \
 && apt-get purge -y python3 make g++ \
 && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
# Plain JavaScript, built once in the check stage (the entry, dist/src/main.js, bundled with its
# dependencies but those scripts/build.mjs leaves in node_modules): the build tool (esbuild) is a
# dev dependency and not in this image.
COPY --from=check /app/dist/src ./dist/src
COPY content ./content
COPY locales ./locales
RUN mkdir -p /app/data \
 && chown node:node /app/data
USER node
# A bind-mounted folder instead of this volume must be writable by uid 1000 (the `node` user): chown 1000:1000 it.
VOLUME ["/app/data"]
EXPOSE 8080
# With PORT set (always in webhook mode) the bot serves /healthz, which checks the database. In plain
# polling mode there is no HTTP server, so the check passes while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "const p=process.env.PORT||(process.env.WEBHOOK_URL?8080:0);if(!p)process.exit(0);fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
