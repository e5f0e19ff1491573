import { z } from "zod";
import { delegationScopeSchema, idSchema, ruleSetSchema } from "../document/schema";
import { spendBaselineSchema } from "../baseline";
import { budgetSchema } from "../money";

/** Names the snapshot layout; a worker refuses layouts it does not know. */
export const SNAPSHOT_FORMAT = "tollgate.snapshot/1";

const instantSchema = z.iso.datetime({ offset: true });
const hexSchema = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

const snapshotAgentSchema = z.strictObject({
  name: z.string(),
  status: z.enum(["active", "suspended"]),
  /** Index into `profiles`: the policies that select this agent. */
  profile: z.int().nonnegative(),
  trustScore: z.int().nullable(),
  /** Absent until the agent has committed spends; one per currency it spends in. */
  spendBaselines: z.array(spendBaselineSchema).optional(),
});

const snapshotKeySchema = z.strictObject({
  keyId: idSchema,
  agentId: idSchema,
  prefix: z.string(),
  expiresAt: instantSchema.nullable(),
  revokedAt: instantSchema.nullable(),
});

const snapshotDelegationSchema = z.strictObject({
  delegatorAgentId: idSchema,
  delegateAgentId: idSchema,
  parentDelegationId: idSchema.nullable(),
  /** Delegation ids from the root of the chain down to this one (inclusive). */
  chain: z.array(idSchema).min(1),
  scope: delegationScopeSchema,
  budget: budgetSchema.nullable(),
  maxDepth: z.int().nonnegative(),
  expiresAt: instantSchema,
  revokedAt: instantSchema.nullable(),
});

const snapshotPolicySchema = z.strictObject({
  policyId: idSchema,
  name: z.string(),
  version: z.int().positive(),
  mode: z.enum(["enforce", "shadow"]),
  rules: ruleSetSchema,
});

/** The signed content of a snapshot. Keyed maps are the precomputed indexes a worker loads. */
export const snapshotBodySchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.int().nonnegative(),
  issuedAt: instantSchema,
  /** Inside the signed content, so a signature cannot be passed off under another key. */
  signingKeyId: z.string().min(1),
  organization: z.strictObject({ id: idSchema, timeZone: z.string() }),
  /** Sorted by policyId; profiles refer to policies by position. */
  policies: z.array(snapshotPolicySchema),
  /** Distinct sets of policies that select at least one agent, as positions in `policies`. */
  profiles: z.array(z.strictObject({ policies: z.array(z.int().nonnegative()) })),
  agents: z.record(idSchema, snapshotAgentSchema),
  /** By lowercase hex SHA-256 of the API key. */
  keys: z.record(hexSchema(32), snapshotKeySchema),
  delegations: z.record(idSchema, snapshotDelegationSchema),
});

/** A snapshot as stored and shipped: the body, its content hash and the signature over the hash. */
export const signedSnapshotSchema = z.strictObject({
  body: snapshotBodySchema,
  /** Lowercase hex SHA-256 of the body's canonical JSON. */
  hash: hexSchema(32),
  /** Hex Ed25519 signature by `body.signingKeyId` over `tollgate.snapshot.sha256:<hash>`. */
  signature: hexSchema(64),
});

export type SnapshotBody = z.infer<typeof snapshotBodySchema>;
export type SignedSnapshot = z.infer<typeof signedSnapshotSchema>;
