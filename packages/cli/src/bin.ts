#!/usr/bin/env -S node --import tsx
import { run } from "./run";

process.exitCode = await run(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  now: () => new Date(),
});
