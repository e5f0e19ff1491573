import { z } from "zod";

const envSchema = z.object({
  TOLLGATE_URL: z.url({ error: "must be the decision worker's URL, e.g. http://127.0.0.1:8787" }).optional(),
  TOLLGATE_KEY: z.string({ error: "is required: the agent key the gateway asks with" }).min(1, { error: "must not be empty" }),
});

export type GatewayEnv = z.infer<typeof envSchema>;

/** The gateway process's environment, validated; the only reader of `process.env`. */
export function readGatewayEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const parsed = envSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${issue.path.join(".")}: ${issue.message}`);
}
