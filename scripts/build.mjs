// Transpiles the TypeScript sources to dist/ with esbuild (no bundling, no type-check: `npm run
// typecheck` does that). It takes well under a second, so `npm start` runs it every time and a
// fresh clone never starts stale code. Plain JavaScript on purpose: it runs before anything is built.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
// The runtime image has only src/; a checkout also has the tools and the benchmarks.
const sources = ["src", "tools", "bench"].filter((dir) => existsSync(join(root, dir))).flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => relative(root, join(e.parentPath, e.name))),
);

// Built beside dist/ and moved in file by file: a rename is atomic, so a process starting from
// dist/ while another build runs (tests start the bot while others run `npm start`) never finds
// a file missing or half written. What this build did not produce (a deleted source) goes.
const dist = join(root, "dist");
const staging = join(root, `.dist-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: sources,
  outdir: staging,
  outbase: ".",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});

const files = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))) : []);
const built = new Set(files(staging));
for (const file of built) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  renameSync(join(staging, file), join(dist, file));
}
for (const file of files(dist)) if (!built.has(file)) rmSync(join(dist, file));
rmSync(staging, { recursive: true, force: true });
