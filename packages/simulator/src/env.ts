import { z } from "zod";

/** The simulate command's configuration; the only place in this package that reads `process.env`. */
const schema = z.object({
  // An empty variable (`DATABASE_URL=`) means unset, as shells and compose files write it.
  DATABASE_URL: z.preprocess((value) => (value === "" ? undefined : value), z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  SIMULATION_SESSIONS: z.coerce.number().int().min(1).max(100).default(8),
  SIMULATION_SEED: z.coerce.number().int().nonnegative().default(1),
});

export type SimulatorEnv = z.infer<typeof schema>;

export function readSimulatorEnv(source: NodeJS.ProcessEnv = process.env): SimulatorEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid simulator configuration: ${problems}`);
  }
  return parsed.data;
}
