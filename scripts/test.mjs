#!/usr/bin/env node
// `npm test` (and CI through .ci/run): installs and starts what the tests need, then runs every
// check — types, lint, each package's tests on PGlite and PostgreSQL, the browser tests — and
// ends with one line, `N passed, N failed`, counted from the runners' JSON reports.
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureChromium, ensurePnpm, ensurePostgres, installDependencies, resetTestDatabases, run, step } from "./toolchain.mjs";

const env = { NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1", ...process.env };
const pnpm = await ensurePnpm();
await installDependencies(pnpm);
await ensurePostgres();
// The default test databases belong to this command; ones named by the caller are theirs.
const ownDatabases = [
  ["TEST_DATABASE_URL", "tollgate_test"],
  ["E2E_DATABASE_URL", "tollgate_e2e"],
].flatMap(([variable, name]) => (process.env[variable] ? [] : [name]));
step("resetting the test databases");
await resetTestDatabases(ownDatabases);
env.CHROMIUM_PATH = await ensureChromium();

const workspaces = ["apps", "packages"].flatMap((group) => readdirSync(group).map((name) => join(group, name))).concat("examples", "e2e");
const reportOf = (dir) => (dir === "e2e" ? join(dir, "test-results", "results.json") : join(dir, "test-results", "vitest.json"));
for (const dir of workspaces) rmSync(reportOf(dir), { force: true });

const failedSteps = [];
async function check(name, args) {
  step(name);
  const code = await run(pnpm, args, { env });
  if (code !== 0) failedSteps.push(name);
}

await check("type-checking and linting", ["turbo", "run", "typecheck", "lint", "--concurrency=2", "--continue", "--output-logs=errors-only"]);
await check("package tests (PGlite and PostgreSQL)", ["turbo", "run", "test", "--filter=!@tollgate/e2e", "--concurrency=2", "--continue"]);
await check("building the console", ["turbo", "run", "build", "--filter=@tollgate/web", "--output-logs=errors-only"]);
await check("browser tests (Chromium)", ["--filter", "@tollgate/e2e", "test"]);

let passed = 0;
let failed = 0;
console.log("\nResults");
for (const dir of workspaces) {
  const path = reportOf(dir);
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, "utf8"));
  const counts =
    dir === "e2e"
      ? { passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected }
      : { passed: report.numPassedTests, failed: report.numFailedTests };
  passed += counts.passed;
  failed += counts.failed;
  console.log(`  ${dir.padEnd(22)} ${counts.passed} passed, ${counts.failed} failed`);
}
if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join("; ")}`);
if (passed === 0) console.log("\nNo test ran: that is a failure too.");
process.exitCode = failedSteps.length > 0 || failed > 0 || passed === 0 ? 1 : 0;
console.log(`\n${passed} passed, ${failed} failed`);
