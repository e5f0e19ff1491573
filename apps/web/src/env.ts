import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The repository root: the nearest folder up from the working directory holding
 * pnpm-workspace.yaml. `next start` runs in apps/web and the all-in-one launcher at the root;
 * both find the same folder. (Inside a bundle `import.meta.url` is not the source path.)
 */
function repositoryRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}

/** The console's configuration, read from the process environment. */
export const envSchema = z.object({
  /** PostgreSQL (`postgres://…`); without it the console uses the embedded database in TOLLGATE_DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /** The embedded database's folder; one process owns it. */
  TOLLGATE_DATA_DIR: z.string().min(1).optional(),
  /** The drizzle migrations folder, applied once per process at the first database use. */
  TOLLGATE_MIGRATIONS_DIR: z.string().min(1).optional(),
  /** Signs and encrypts session tokens. */
  NEXTAUTH_SECRET: z.string().min(16, "must be at least 16 characters (e.g. `openssl rand -base64 32`)"),
  /** The console's public URL; next-auth builds its redirects from it. */
  NEXTAUTH_URL: z.url({ protocol: /^https?$/, error: "must be the console's http(s) URL, e.g. http://localhost:3000" }),
});

export type Env = {
  databaseUrl: string | undefined;
  dataDir: string;
  migrationsDir: string;
  nextAuthSecret: string;
  nextAuthUrl: string;
};

/**
 * Validates `source` (the process environment by default). Folders resolve to absolute paths
 * against `cwd`, as the launcher resolves them, so both open the very same database; the
 * defaults sit below the repository root.
 */
export function parseEnv(source: Record<string, string | undefined> = process.env, cwd = process.cwd()): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`The console's environment is invalid:\n${problems}`);
  }
  const root = repositoryRoot(cwd);
  const values = result.data;
  return {
    databaseUrl: values.DATABASE_URL,
    dataDir: path.resolve(cwd, values.TOLLGATE_DATA_DIR ?? path.join(root, ".data", "pglite")),
    migrationsDir: path.resolve(cwd, values.TOLLGATE_MIGRATIONS_DIR ?? path.join(root, "drizzle")),
    nextAuthSecret: values.NEXTAUTH_SECRET,
    nextAuthUrl: values.NEXTAUTH_URL,
  };
}

let cached: Env | undefined;

/**
 * The validated environment, read on first use rather than at import: `next build` imports
 * route modules without a runtime environment, and the all-in-one launcher sets the variables
 * just before it starts Next.js in its own process.
 */
export function env(): Env {
  return (cached ??= parseEnv());
}
