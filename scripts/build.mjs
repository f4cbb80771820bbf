// Transpiles the TypeScript sources to dist/ with esbuild (no type-check: `npm run typecheck` does
// that). It takes about a second, so `npm start` runs it every time and a fresh clone never starts
// stale code. Plain JavaScript on purpose: it runs before anything is built.
//
// The bot's entry, dist/src/main.js, is one bundled file with its dependencies: loading some 640
// modules one by one took about 0.7 s of CPU at every start (1.75 s to "bot started", 1.0 s
// bundled), which every restart, every replica and every process test paid. Left outside, loaded
// from node_modules: better-sqlite3 (a native addon), pg-native (optional, never installed), pino
// and pino-pretty (the pretty transport finds its worker file by path), and node-fetch.
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
const ENTRY = join("src", "main.ts");
const common = { absWorkingDir: root, format: "esm", platform: "node", target: "node20", sourcemap: "linked", logLevel: "warning" };
await Promise.all([
  build({ ...common, entryPoints: sources.filter((file) => file !== ENTRY), outdir: staging, outbase: "." }),
  build({
    ...common,
    entryPoints: [ENTRY],
    outfile: join(staging, "src", "main.js"),
    bundle: true,
    // node-fetch (grammY's default client, unused here) requires Node's deprecated punycode
    // module, which warns on Node 22+ when the caller is not inside node_modules. It is a
    // dependency of ours too, at grammY's version, so that node_modules/node-fetch is that one.
    external: ["better-sqlite3", "pg-native", "pino", "pino-pretty", "node-fetch"],
    // The bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    // Stack traces still map to src/ (--enable-source-maps); the sources' text is not needed for that.
    sourcesContent: false,
  }),
]);

const files = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))) : []);
const built = new Set(files(staging));
for (const file of built) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  renameSync(join(staging, file), join(dist, file));
}
for (const file of files(dist)) if (!built.has(file)) rmSync(join(dist, file));
rmSync(staging, { recursive: true, force: true });
