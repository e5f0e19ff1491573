import { defineConfig } from "vitest/config";

/**
 * Every package's vitest configuration. The JSON report is what `npm test` (and CI) counts;
 * database tests share one PostgreSQL but each rolls back, so files may run in parallel.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
