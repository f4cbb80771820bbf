import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Tests start the bot as production does (node dist/src/main.js), so the build comes first.
    globalSetup: ["test/support/build.ts"],
  },
});
