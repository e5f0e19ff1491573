#!/usr/bin/env node
// `npm start`: installs what is missing, builds the console, and runs the whole product —
// embedded database, migrations, demo data, console and decision worker — in one process.
import { ensurePnpm, installDependencies, mustRun, run, step } from "./toolchain.mjs";

const pnpm = await ensurePnpm();
await installDependencies(pnpm);
step("building the console");
await mustRun(pnpm, ["turbo", "run", "build", "--filter=@tollgate/web", "--output-logs=errors-only"]);
step("starting Tollgate");
process.exitCode = await run(pnpm, ["--filter", "@tollgate/standalone", "start"], {
  env: { NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1", ...process.env },
});
