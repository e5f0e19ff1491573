import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Database tests share one PostgreSQL; each test rolls back, so files may run in parallel.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
