import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { DatabaseConfig } from "../client";

const schema = z.object({
  // An empty variable (`DATABASE_URL=`) means unset, as shells and compose files write it.
  DATABASE_URL: z.preprocess((value) => (value === "" ? undefined : value), z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  TOLLGATE_DATA_DIR: z.string().min(1).default(fileURLToPath(new URL("../../../../.data/pglite", import.meta.url))),
});

/** Where the database command-line tools connect: DATABASE_URL, else the embedded data folder. */
export function readDatabaseEnv(source: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid database configuration: ${problems}`);
  }
  return parsed.data.DATABASE_URL ? { url: parsed.data.DATABASE_URL } : { dataDir: resolve(parsed.data.TOLLGATE_DATA_DIR) };
}
