import { z } from "zod";
import { currencySchema, limitAmountSchema } from "../money";
import { PERIODS } from "../period";

/** An identifier chosen by the database or the admin: agent ids, delegation ids, key ids. */
export const idSchema = z
  .string()
  // `__proto__` would vanish from (or poison) the JSON objects that index snapshots by id.
  .regex(/^(?!__proto__$)[A-Za-z0-9_.:-]{1,128}$/, { error: "must be an id of 1–128 letters, digits, _ . : or - (and not __proto__)" });

/** A literal action as an agent sends it: dot-separated words, `stripe.charges.create`. */
export const actionSchema = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
  error: "must be an action name: words of letters, digits, _ or - separated by dots",
});

/** An action pattern: an action name in which `*` stands for any text, e.g. `stripe.*`. */
export const actionPatternSchema = z.string().regex(/^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/, {
  error: "must be an action pattern such as stripe.charges.create, stripe.* or *",
});

/** A merchant or category name: printable text, at most 200 characters. In rules `*` is a wildcard. */
export const labelSchema = z
  .string()
  .regex(/^\P{Cc}{1,200}$/u, { error: "must be 1–200 characters, none of them control characters" });

export const tagSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/, {
  error: "must be a tag of 1–64 letters, digits, _ . : / or -, starting with a letter or digit",
});

const ruleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
  error: "must be a rule id of 1–64 lowercase letters, digits, _ or -",
});

const policyNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, {
  error: "must be a policy name of 1–64 lowercase letters, digits, _ . or -",
});

const nonEmpty = <T extends z.ZodType>(item: T) => z.array(item).min(1, { error: "must not be empty" });

/** What a call is: any combination narrows the rule; an absent field places no condition. */
const scopeShape = {
  actions: nonEmpty(actionPatternSchema).optional(),
  merchants: nonEmpty(labelSchema).optional(),
  categories: nonEmpty(labelSchema).optional(),
};

/** The scope a delegation passes on: the actions are required, merchants and categories narrow. */
export const delegationScopeSchema = z.strictObject({ ...scopeShape, actions: nonEmpty(actionPatternSchema) });

/** A grant (allow) or an explicit deny over actions, optionally narrowed to merchants and categories. */
const accessRuleSchema = z.strictObject({ id: ruleIdSchema, ...scopeShape, actions: nonEmpty(actionPatternSchema) });

const capSchema = z.strictObject({
  id: ruleIdSchema,
  amount: limitAmountSchema,
  currency: currencySchema,
  ...scopeShape,
});

const limitSchema = z.strictObject({
  id: ruleIdSchema,
  period: z.enum(PERIODS),
  amount: limitAmountSchema,
  currency: currencySchema,
  ...scopeShape,
});

const approvalSchema = z.discriminatedUnion("when", [
  z.strictObject({ id: ruleIdSchema, when: z.literal("amount_over"), amount: limitAmountSchema, currency: currencySchema, ...scopeShape }),
  z.strictObject({
    id: ruleIdSchema,
    when: z.literal("trust_below"),
    score: z.int().min(300, { error: "must be a trust score from 300 to 850" }).max(850, { error: "must be a trust score from 300 to 850" }),
    ...scopeShape,
  }),
  z.strictObject({ id: ruleIdSchema, when: z.literal("first_merchant"), ...scopeShape }),
]);

const windowSecondsSchema = z
  .int()
  .min(1, { error: "must be a whole number of seconds from 1 to 2678400 (31 days)" })
  .max(2_678_400, { error: "must be a whole number of seconds from 1 to 2678400 (31 days)" });

const countSchema = z.int().min(1, { error: "must be a whole number of at least 1" }).max(1_000_000);

const velocitySchema = z.strictObject({
  id: ruleIdSchema,
  maxCalls: countSchema,
  windowSeconds: windowSecondsSchema,
  per: z.enum(["agent", "session"]).default("agent"),
  ...scopeShape,
});

const loopSchema = z.strictObject({
  id: ruleIdSchema,
  maxRepeats: countSchema,
  windowSeconds: windowSecondsSchema,
  ...scopeShape,
});

// "Far above the agent's own baseline" (see anomalyThreshold), answered before anything is held.
const anomalySchema = z.strictObject({
  id: ruleIdSchema,
  /** Robust standard deviations above the median that count as far above. */
  deviations: z
    .number({ error: "must be a number of deviations from 2 to 100" })
    .min(2, { error: "must be a number of deviations from 2 to 100" })
    .max(100, { error: "must be a number of deviations from 2 to 100" })
    .default(6),
  /** Spends the baseline must summarize before the rule applies: a new agent has no baseline. */
  minSamples: z
    .int({ error: "must be a whole number from 5 to 100000" })
    .min(5, { error: "must be a whole number from 5 to 100000" })
    .max(100_000, { error: "must be a whole number from 5 to 100000" })
    .default(20),
  /** What a far-above spend gets: a denial, or a human's approval. */
  respond: z.enum(["approval", "deny"]).default("approval"),
  ...scopeShape,
});

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

const clockTimeSchema = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { error: "must be a time HH:MM from 00:00 to 24:00" });

const timeWindowSchema = z
  .strictObject({
    id: ruleIdSchema,
    days: nonEmpty(z.enum(WEEKDAYS)),
    from: clockTimeSchema,
    to: clockTimeSchema,
    ...scopeShape,
  })
  .check((ctx) => {
    if (ctx.value.from === ctx.value.to) {
      ctx.issues.push({ code: "custom", input: ctx.value, path: ["to"], message: "must differ from `from` (a window from 22:00 to 06:00 wraps past midnight)" });
    }
  });

const selectorSchema = z
  .strictObject({
    all: z.literal(true, { error: "must be true when present" }).optional(),
    agents: nonEmpty(idSchema).optional(),
    tags: nonEmpty(tagSchema).optional(),
  })
  .check((ctx) => {
    const { all, agents, tags } = ctx.value;
    const named = agents !== undefined || tags !== undefined;
    if (all === true && named) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: "must be either `all: true` or agents/tags, not both" });
    } else if (all !== true && !named) {
      ctx.issues.push({ code: "custom", input: ctx.value, message: "must name agents, tags, or `all: true`" });
    }
  });

/** The rule lists of a policy, by kind. A snapshot stores exactly these, validated. */
const ruleSetShape = {
  grants: z.array(accessRuleSchema).default([]),
  denies: z.array(accessRuleSchema).default([]),
  caps: z.array(capSchema).default([]),
  limits: z.array(limitSchema).default([]),
  approvals: z.array(approvalSchema).default([]),
  velocity: z.array(velocitySchema).default([]),
  loops: z.array(loopSchema).default([]),
  timeWindows: z.array(timeWindowSchema).default([]),
  anomalies: z.array(anomalySchema).default([]),
};

export const RULE_SECTIONS = Object.keys(ruleSetShape) as (keyof typeof ruleSetShape)[];

// Reasons name rules by id, so an id must mean one rule within its policy.
function requireUniqueRuleIds(ctx: z.core.ParsePayload<z.infer<z.ZodObject<typeof ruleSetShape>>>): void {
  const firstSeen = new Map<string, string>();
  for (const section of RULE_SECTIONS) {
    ctx.value[section].forEach((rule, index) => {
      const where = `${section}[${index}]`;
      const earlier = firstSeen.get(rule.id);
      if (earlier === undefined) firstSeen.set(rule.id, where);
      else ctx.issues.push({ code: "custom", input: rule.id, path: [section, index, "id"], message: `duplicates the id of ${earlier}` });
    });
  }
}

/** The compiled rules of one policy, as a snapshot carries them. */
export const ruleSetSchema = z.strictObject(ruleSetShape).check(requireUniqueRuleIds);

/** One policy: who it selects and the rules it applies to them. */
export const policySchema = z
  .strictObject({
    name: policyNameSchema,
    description: z.string().max(2000, { error: "must be at most 2000 characters" }).optional(),
    mode: z.enum(["enforce", "shadow"]).default("enforce"),
    selector: selectorSchema,
    ...ruleSetShape,
  })
  .check(requireUniqueRuleIds);

/** A document: a list of policies with distinct names. A lone policy is parsed into a list of one. */
export const policyDocumentSchema = z
  .strictObject({ policies: nonEmpty(policySchema) })
  .check((ctx) => {
    const firstSeen = new Map<string, number>();
    ctx.value.policies.forEach((policy, index) => {
      const earlier = firstSeen.get(policy.name);
      if (earlier === undefined) firstSeen.set(policy.name, index);
      else ctx.issues.push({ code: "custom", input: policy.name, path: ["policies", index, "name"], message: `duplicates the name of policies[${earlier}]` });
    });
  });

export type Policy = z.infer<typeof policySchema>;
export type RuleSet = z.infer<typeof ruleSetSchema>;
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type DelegationScope = z.infer<typeof delegationScopeSchema>;
export type AccessRule = Policy["grants"][number];
export type Cap = Policy["caps"][number];
export type Limit = Policy["limits"][number];
export type Approval = Policy["approvals"][number];
export type VelocityLimit = Policy["velocity"][number];
export type LoopLimit = Policy["loops"][number];
export type TimeWindow = Policy["timeWindows"][number];
export type AnomalyRule = Policy["anomalies"][number];
/** The narrowing fields every rule shares. */
export type RuleScope = Pick<Cap, "actions" | "merchants" | "categories">;
