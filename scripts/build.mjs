// Transpiles the TypeScript sources to dist/ with esbuild (no bundling, no type-check: `npm run
// typecheck` does that). It takes well under a second, so `npm start` runs it every time and a
// fresh clone never starts stale code. Plain JavaScript on purpose: it runs before anything is built.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
// The runtime image has only src/; a checkout also has the tools and the benchmarks.
const sources = ["src", "tools", "bench"].filter((dir) => existsSync(join(root, dir))).flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => relative(root, join(e.parentPath, e.name))),
);

rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: sources,
  outdir: "dist",
  outbase: ".",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});
