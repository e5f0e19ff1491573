import { hostname } from "node:os";
import { readDatabaseEnv } from "@tollgate/db/env";
import { z } from "zod";

/** The worker process's configuration; the only place in the worker that reads `process.env`. */
const schema = z.object({
  WORKER_HOST: z.string().default("127.0.0.1"),
  WORKER_PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  WORKER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** This worker's journal directory (see ServeOptions.journalDir); unset, answers wait for PostgreSQL. */
  WORKER_JOURNAL_DIR: z.string().min(1).optional(),
});

export type WorkerEnv = z.infer<typeof schema> & { database: ReturnType<typeof readDatabaseEnv> };

export function readWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid worker configuration: ${problems}`);
  }
  return { ...parsed.data, database: readDatabaseEnv(source) };
}
