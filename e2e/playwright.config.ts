import { defineConfig, devices } from "@playwright/test";
import { baseURL, e2e } from "./config";

/**
 * The console, built and started with `next start` against a real PostgreSQL database, driven
 * by Debian's Chromium. No retries: a flaky test is a bug to fix, not to hide.
 */
export default defineConfig({
  testDir: ".",
  testMatch: "*/**/*.spec.ts",
  globalSetup: "./global-setup.ts",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/results.json" }]],
  outputDir: "test-results/artifacts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: e2e.chromium,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
    // Serve the production console. turbo builds it first, or reuses the build when nothing changed
    // since (as after the root test script's own build step).
    command: `turbo run build --filter=@tollgate/web --output-logs=errors-only && pnpm --filter @tollgate/web start --port ${e2e.port} --hostname 127.0.0.1`,
    url: `${baseURL}/signin`,
    timeout: 240_000,
    reuseExistingServer: !process.env.CI,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATABASE_URL: e2e.databaseUrl,
      NEXTAUTH_URL: baseURL,
      NEXTAUTH_SECRET: "tollgate-e2e-secret-only-for-tests",
      NEXT_TELEMETRY_DISABLED: "1",
      TURBO_TELEMETRY_DISABLED: "1",
    },
  },
});
