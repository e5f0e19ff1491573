import { z } from "zod";

/**
 * Where the examples find the product. The defaults match `npm start`: its worker, and the demo
 * organization's agent keys, which the demo derives from a fixed seed (laptop use only).
 */
const envSchema = z.object({
  TOLLGATE_URL: z.url({ error: "must be the decision worker's URL" }).default("http://127.0.0.1:8787"),
  /** checkout-bot: tagged payments, so the `payments` and `guardrails` policies apply. */
  TOLLGATE_KEY: z.string().min(1).default("tg_QVrNEb9d_4T6bSzvm69ifH0z256BcYarsGEjOW8NlmSzpqy4u"),
  /** invoice-reconciler: checkout-bot delegates Stripe charges to it. */
  TOLLGATE_DELEGATE_KEY: z.string().min(1).default("tg_iIrLx4iF_NT30p5mKnT883aztgBSmfia4Vy940xyb25fYVBNn"),
  /** The checkout-bot → invoice-reconciler delegation's id (fixed in the demo). */
  TOLLGATE_DELEGATION_ID: z.uuid({ error: "must be a delegation id (a UUID)" }).default("de000000-0000-4000-8000-0000000000d4"),
  /** The demo organization's id (fixed in the demo): whose receipt keys the merchant fetches. */
  TOLLGATE_ORGANIZATION_ID: z.uuid({ error: "must be an organization id (a UUID)" }).default("de000000-0000-4000-8000-000000000001"),
  /** support-triage: the `assistants` policy stops the same chat call after 3 in a minute. */
  TOLLGATE_LOOP_KEY: z.string().min(1).default("tg_bNng1UL7_wBNxNu313ddlE5AAF2TZEvhNjKiNdW0alvkkE9YN"),
  /** The organization's receipt public keys, `<key id>=<hex>` separated by commas; fetched from the worker when unset. */
  TOLLGATE_RECEIPT_KEYS: z
    .string()
    .regex(/^[^=,]+=[0-9a-f]{64}(,[^=,]+=[0-9a-f]{64})*$/i, { error: "must be <key id>=<hex public key>[,…]" })
    .transform((pairs) => Object.fromEntries(pairs.split(",").map((pair) => [pair.slice(0, pair.lastIndexOf("=")), pair.slice(pair.lastIndexOf("=") + 1)])))
    .optional(),
  /** Handed to the gateway process, which needs nothing else of this environment. */
  PATH: z.string().default(""),
  /** How long the approval example waits for a reviewer. */
  APPROVAL_TIMEOUT_MS: z.coerce.number().int().min(0).default(300_000),
});

export type ExampleEnv = z.output<typeof envSchema>;

/** The examples' environment, validated; the only reader of `process.env`. */
export function readExampleEnv(source: NodeJS.ProcessEnv = process.env): ExampleEnv {
  const parsed = envSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${issue.path.join(".")}: ${issue.message}`);
}
