import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTING_NAMES } from "../src/config.js";

/**
 * There is no Docker engine here, so the image and the compose file cannot be built in tests;
 * these checks keep them in step with the code and the README instead.
 */
const dockerfile = readFileSync("Dockerfile", "utf8");
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.find((s) => s.includes(" AS runtime"))!;

describe("the Docker image", () => {
  it("runs the Node major the README and CI name, in both stages", () => {
    const majors = [...dockerfile.matchAll(/^FROM node:(\d+)-slim AS (\w+)$/gm)].map((m) => m[1]);
    expect(majors).toEqual(["24", "24"]);
    expect(readFileSync("README.md", "utf8")).toContain("Node 24");
    expect(readFileSync(".ci/run", "utf8")).toContain("FROM node:\\([0-9]*\\)-slim AS runtime");
  });

  it("cannot be built without the check stage, which type-checks and checks the content", () => {
    expect(stages[0]).toMatch(/ AS check\n/);
    expect(stages[0]).toMatch(/npm run typecheck && npm run content:check && touch \/app\/\.checked/);
    expect(runtime).toMatch(/COPY --from=check \/app\/\.checked/);
  });

  it("runs the JavaScript the check stage built, so the build tool is a dev dependency only", () => {
    // content:check builds first (its pre-step), so the check stage has dist/ when it is copied.
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts["precontent:check"]).toBe("npm run --silent build");
    expect(runtime).toMatch(/^COPY --from=check \/app\/dist\/src \.\/dist\/src$/m);
    expect(runtime).not.toMatch(/npm run build/);
    expect(Object.keys(pkg.dependencies)).not.toContain("esbuild");
    expect(Object.keys(pkg.devDependencies)).toContain("esbuild");
  });

  it("ships only what the bot runs, as a non-root user, with no heap cap", () => {
    const copied = [...runtime.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(" "));
    expect(copied.sort()).toEqual(["content", "locales", "package-lock.json", "package.json"]);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/src\/main\.js"\]$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/max-old-space-size/);
  });
});

describe("compose.yaml, the scale-out deployment", () => {
  const compose = readFileSync("compose.yaml", "utf8");
  const caddy = readFileSync("deploy/Caddyfile", "utf8");

  it("has PostgreSQL, two bot replicas and a reverse proxy that checks their health", () => {
    for (const service of ["postgres", "bot-1", "bot-2", "proxy"]) expect(compose).toMatch(new RegExp(`^  ${service}:`, "m"));
    expect(caddy).toMatch(/reverse_proxy bot-1:8080 bot-2:8080/);
    expect(caddy).toMatch(/health_uri \/healthz/);
  });

  it("gives every replica PostgreSQL, the shared secret and webhook mode, using only real settings", () => {
    const bot = compose.slice(compose.indexOf("x-bot:"), compose.indexOf("services:"));
    const variables = [...bot.matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    for (const needed of ["DATABASE_URL", "ANON_SECRET", "WEBHOOK_URL", "WEBHOOK_SECRET", "PORT", "BOT_TOKEN"]) expect(variables).toContain(needed);
    for (const v of variables) expect(SETTING_NAMES).toContain(v);
  });
});
