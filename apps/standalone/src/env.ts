import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The launcher's configuration; the only place in this app that reads `process.env`. */
const schema = z.object({
  // An empty variable (`DATABASE_URL=`) means unset, as shells and compose files write it.
  DATABASE_URL: z.preprocess((value) => (value === "" ? undefined : value), z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  TOLLGATE_DATA_DIR: z.string().min(1).default(resolve(repoRoot, ".data/pglite")),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  WORKER_PORT: z.coerce.number().int().min(1).max(65_535).default(8787),
  WORKER_ID: z.string().min(1).default("standalone-worker"),
  NEXTAUTH_SECRET: z.string().min(32).optional(),
  TOLLGATE_SEED: z.enum(["true", "false"]).default("true"),
});

export type LauncherEnv = z.infer<typeof schema> & { NEXTAUTH_SECRET: string; webDir: string };

/**
 * A session-signing secret that survives restarts, so signing in once is enough on a laptop.
 * Production sets NEXTAUTH_SECRET instead.
 */
function localSecret(dataDir: string): string {
  const path = resolve(dataDir, "..", "nextauth-secret");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

export function readLauncherEnv(source: NodeJS.ProcessEnv = process.env): LauncherEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  const env = parsed.data;
  const dataDir = resolve(env.TOLLGATE_DATA_DIR);
  return {
    ...env,
    TOLLGATE_DATA_DIR: dataDir,
    NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? localSecret(dataDir),
    webDir: resolve(repoRoot, "apps/web"),
  };
}
