// Helpers for the two quick-start commands. Plain Node (no dependencies): they run on a fresh
// clone before anything is installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection } from "node:net";

export const PNPM_VERSION = "12.4.2";

export function step(message) {
  console.log(`\n▸ ${message}`);
}

/** Runs a command with inherited output; resolves to its exit code. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", ...options });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export async function mustRun(command, args, options) {
  const code = await run(command, args, options);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}`);
}

const output = (command, args) => {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

export const isRoot = () => process.getuid?.() === 0;

/** pnpm pinned to the lockfile's version: installed with npm when missing (corepack fails here). */
export async function ensurePnpm() {
  if (output("pnpm", ["--version"]) === PNPM_VERSION) return "pnpm";
  step(`installing pnpm ${PNPM_VERSION}`);
  if ((await run("npm", ["install", "--global", `pnpm@${PNPM_VERSION}`])) === 0 && output("pnpm", ["--version"]) === PNPM_VERSION) {
    return "pnpm";
  }
  throw new Error(`could not install pnpm ${PNPM_VERSION}; install it with: npm install --global pnpm@${PNPM_VERSION}`);
}

export async function installDependencies(pnpm) {
  step("installing dependencies");
  await mustRun(pnpm, ["install", "--frozen-lockfile"]);
}

/** Resolves when something accepts TCP connections on host:port. */
export function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export async function aptInstall(packages) {
  if (!isRoot()) throw new Error(`missing ${packages.join(", ")}: install them (apt-get install ${packages.join(" ")}) and retry`);
  step(`installing ${packages.join(", ")} from Debian`);
  await mustRun("apt-get", ["update", "-qq"]);
  await mustRun("apt-get", ["install", "-y", "-qq", ...packages], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

/** Debian's Chromium for Playwright (its own browser download cannot reach the internet here). */
export async function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(path)) return path;
  await aptInstall(["chromium", "fonts-liberation"]);
  return path;
}

/**
 * A PostgreSQL on 127.0.0.1:5432 that the tests may use as `postgres` without a password:
 * started if installed, installed from Debian if not.
 */
export async function ensurePostgres() {
  if (await reachable("127.0.0.1", 5432)) return;
  if (!existsSync("/usr/bin/pg_ctlcluster")) await aptInstall(["postgresql"]);
  const versions = output("ls", ["/etc/postgresql"])?.split(/\s+/).filter(Boolean) ?? [];
  const version = versions.at(-1);
  if (!version) throw new Error("PostgreSQL is installed but has no cluster in /etc/postgresql");
  // Loopback trust, as on the development machines: tests connect as postgres with no password.
  const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
  await mustRun("sh", ["-c", `grep -q '^host all all 127.0.0.1/32 trust' ${hba} || sed -i '1i host all all 127.0.0.1/32 trust' ${hba}`]);
  step(`starting PostgreSQL ${version}`);
  await mustRun("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"]);
  for (let attempt = 0; attempt < 60; attempt++) {
    if (await reachable("127.0.0.1", 5432)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("PostgreSQL did not start listening on 127.0.0.1:5432");
}

/**
 * Drops and recreates the test databases, empty, so each run migrates from nothing: a database
 * left by an older checkout (or a half-written migration) must not decide what this run sees.
 * They are created here rather than by the suites' setup because Playwright starts the console
 * before its global setup, and a console that finds no database starts without its trust schedule.
 */
export async function resetTestDatabases(names) {
  if (spawnSync("psql", ["--version"]).status !== 0) {
    console.log("  (psql not found: reusing the existing test databases)");
    return;
  }
  for (const name of names) {
    await mustRun("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", `drop database if exists "${name}" with (force)`, "-c", `create database "${name}"`]);
  }
}
