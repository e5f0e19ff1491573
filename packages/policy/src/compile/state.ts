import { z } from "zod";
import { delegationScopeSchema, idSchema, tagSchema } from "../document/schema";
import { spendBaselineSchema } from "../baseline";
import { budgetSchema } from "../money";
import { isTimeZone } from "../period";

const instantSchema = z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp with an offset, e.g. 2026-11-24T09:00:00Z" });

const keySchema = z.object({
  id: idSchema,
  prefix: z.string().min(1).max(32),
  hash: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be the lowercase hex SHA-256 of the key" }),
  expiresAt: instantSchema.nullable(),
  revokedAt: instantSchema.nullable(),
});

const agentSchema = z.object({
  id: idSchema,
  name: z.string().min(1).max(200),
  ownerUserId: z.string().min(1),
  tags: z.array(tagSchema),
  status: z.enum(["active", "suspended"]),
  keys: z.array(keySchema),
});

// Documents are validated one by one afterwards so their errors carry the policy's position.
const publishedPolicySchema = z.object({
  policyId: idSchema,
  name: z.string().min(1).max(200),
  version: z.int().positive(),
  mode: z.enum(["enforce", "shadow"]),
  document: z.unknown(),
});

const delegationSchema = z.object({
  id: idSchema,
  delegatorAgentId: idSchema,
  delegateAgentId: idSchema,
  parentDelegationId: idSchema.nullable(),
  scope: delegationScopeSchema,
  budget: budgetSchema.nullable(),
  maxDepth: z.int().min(0).max(8, { error: "must be at most 8 (the deepest chain a snapshot supports)" }),
  expiresAt: instantSchema,
  revokedAt: instantSchema.nullable(),
});

/** Everything the control plane knows about one organization that a decision depends on. */
export const organizationStateSchema = z.object({
  organization: z.object({
    id: idSchema,
    timeZone: z.string().refine(isTimeZone, { error: "must be an IANA time zone such as Europe/Berlin" }),
  }),
  agents: z.array(agentSchema),
  policies: z.array(publishedPolicySchema),
  delegations: z.array(delegationSchema),
  trustScores: z.record(
    z.string(),
    z.int().min(300, { error: "must be a trust score from 300 to 850" }).max(850, { error: "must be a trust score from 300 to 850" }),
  ),
  /** By agent id: what each agent usually spends, per currency, for the anomaly gate. */
  spendBaselines: z.record(z.string(), z.array(spendBaselineSchema)).default({}),
});

/** What compileSnapshot accepts: policy documents may be raw (defaults not yet applied). */
export type OrganizationState = z.input<typeof organizationStateSchema>;
export type ValidatedState = z.infer<typeof organizationStateSchema>;
export type AgentState = ValidatedState["agents"][number];
export type DelegationState = ValidatedState["delegations"][number];
