// The decision invariants, checked on random organizations and calls.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { OrganizationState } from "../compile/state";
import { compileSnapshot } from "../compile/compile";
import { loadSnapshot } from "../snapshot/load";
import { agent, delegation, load, NOW, options, organization, policy, TRUSTED_KEYS, usage } from "../testing/fixtures";
import type { DecisionRequest, Outcome, Usage } from "./decision";
import { evaluate } from "./evaluate";

const AGENTS = ["ag0", "ag1", "ag2", "ag3", "ag4"];
const TAGS = ["t1", "t2"];
const ACTIONS = ["pay.card", "pay.bank", "llm.chat", "llm.embed"];
const PATTERNS = ["*", "pay.*", "llm.*", "*.chat", ...ACTIONS];
const MERCHANTS = ["m1", "m2"];
// Mostly one currency, so that most money rules compare amounts rather than refuse the currency.
const currencyArb = fc.oneof({ arbitrary: fc.constant("USD"), weight: 5 }, { arbitrary: fc.constant("EUR"), weight: 1 });

const scope = { actions: fc.subarray(PATTERNS, { minLength: 1, maxLength: 2 }), merchants: fc.subarray(MERCHANTS, { minLength: 1 }) };
const accessArb = fc.record(scope, { requiredKeys: ["actions"] });
const narrowing = { actions: scope.actions, merchants: scope.merchants };
const capArb = fc.record({ amount: fc.integer({ min: 1, max: 2_000 }), currency: currencyArb, ...narrowing }, { requiredKeys: ["amount", "currency"] });
const limitArb = fc.record(
  { period: fc.constantFrom("day", "month", "all_time", "session"), amount: fc.integer({ min: 1, max: 3_000 }), currency: currencyArb, ...narrowing },
  { requiredKeys: ["period", "amount", "currency"] },
);
const approvalArb = fc.oneof(
  fc.record({ when: fc.constant("amount_over"), amount: fc.integer({ min: 1, max: 2_000 }), currency: fc.constant("USD") }),
  fc.record({ when: fc.constant("trust_below"), score: fc.integer({ min: 300, max: 850 }) }),
  fc.record({ when: fc.constant("first_merchant") }),
);
const anomalyArb = fc.record(
  { deviations: fc.integer({ min: 2, max: 10 }), minSamples: fc.integer({ min: 5, max: 30 }), respond: fc.constantFrom("approval", "deny"), ...narrowing },
  { requiredKeys: ["deviations", "minSamples", "respond"] },
);
const velocityArb = fc.record(
  { maxCalls: fc.integer({ min: 1, max: 6 }), windowSeconds: fc.integer({ min: 1, max: 3_600 }), per: fc.constantFrom("agent", "session"), ...narrowing },
  { requiredKeys: ["maxCalls", "windowSeconds"] },
);
const loopArb = fc.record({ maxRepeats: fc.integer({ min: 1, max: 6 }), windowSeconds: fc.integer({ min: 1, max: 3_600 }), ...narrowing }, { requiredKeys: ["maxRepeats", "windowSeconds"] });
// NOW is a Tuesday, 10:00 in Berlin: these clock times fall before, at and after it.
const clockArb = fc.constantFrom("00:00", "09:30", "10:00", "10:30", "22:00", "24:00");
const timeWindowArb = fc
  .record({ days: fc.subarray(["mon", "tue", "wed", "sun"], { minLength: 1 }), from: clockArb, to: clockArb, ...narrowing }, { requiredKeys: ["days", "from", "to"] })
  .filter(({ from, to }) => from !== to);
const baselineArb = fc.record({ currency: currencyArb, median: fc.integer({ min: 0, max: 1_000 }), mad: fc.integer({ min: 0, max: 500 }), samples: fc.integer({ min: 1, max: 50 }) });
const withIds = <T extends object>(prefix: string) => (rules: T[]) => rules.map((rule, index) => ({ id: `${prefix}${index}`, ...rule }));
// A rule in one document of four: with every kind in every document, hardly a call would pass.
const sometimes = <T extends object>(prefix: string, rule: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant<T[]>([]), weight: 3 }, { arbitrary: rule.map((only) => [only]), weight: 1 }).map(withIds(prefix));

const documentArb = fc.record({
  selector: fc.oneof(fc.constant({ all: true }), fc.record({ tags: fc.subarray(TAGS, { minLength: 1 }) }), fc.record({ agents: fc.subarray(AGENTS, { minLength: 1 }) })),
  grants: fc.array(accessArb, { maxLength: 3 }).map(withIds("g")),
  denies: fc.array(accessArb, { maxLength: 1 }).map(withIds("d")),
  caps: fc.array(capArb, { maxLength: 1 }).map(withIds("c")),
  limits: fc.array(limitArb, { maxLength: 2 }).map(withIds("l")),
  approvals: fc.array(approvalArb, { maxLength: 1 }).map(withIds("a")),
  anomalies: fc.array(anomalyArb, { maxLength: 1 }).map(withIds("x")),
  velocity: sometimes("v", velocityArb),
  loops: sometimes("r", loopArb),
  timeWindows: sometimes("w", timeWindowArb),
});

const stateArb: fc.Arbitrary<OrganizationState> = fc
  .record({
    tags: fc.array(fc.subarray(TAGS), { minLength: AGENTS.length, maxLength: AGENTS.length }),
    suspended: fc.subarray(AGENTS, { maxLength: 1 }),
    documents: fc.array(fc.tuple(documentArb, fc.boolean()), { minLength: 1, maxLength: 4 }),
    trust: fc.array(fc.integer({ min: 300, max: 850 }), { minLength: AGENTS.length, maxLength: AGENTS.length }),
    baselines: fc.array(fc.option(baselineArb), { minLength: AGENTS.length, maxLength: AGENTS.length }),
  })
  .map(({ tags, suspended, documents, trust, baselines }) =>
    organization({
      agents: AGENTS.map((id, index) => agent(id, { tags: tags[index]!, status: suspended.includes(id) ? "suspended" : "active" })),
      policies: documents.map(([document, shadow], index) => policy(`pol_${index}`, document, { mode: shadow && index > 0 ? "shadow" : "enforce" })),
      trustScores: Object.fromEntries(AGENTS.map((id, index) => [id, trust[index]!])),
      spendBaselines: Object.fromEntries(AGENTS.flatMap((id, index) => (baselines[index] ? [[id, [baselines[index]]]] : []))),
    }),
  );

const requestArb: fc.Arbitrary<DecisionRequest> = fc.record(
  {
    agentId: fc.constantFrom(...AGENTS, "ghost"),
    action: fc.constantFrom(...ACTIONS),
    merchant: fc.constantFrom(...MERCHANTS, "m3"),
    amount: fc.record({ amount: fc.integer({ min: 0, max: 1_500 }), currency: currencyArb }),
    sessionId: fc.constant("ses_1"),
  },
  { requiredKeys: ["agentId", "action", "sessionId", "amount"] },
);

const digest = (text: string, modulus: number) => [...text].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % modulus, 7);

/**
 * A worker whose history is a fixed function of each key, so two evaluations see the same past
 * while different agents, counters and calls see different pasts.
 */
const history: Usage = {
  spent: (key) => digest(key, 1_009),
  calls: (key, windowSeconds) => digest(`${key}/${windowSeconds}`, 5),
  repeats: (fingerprint, windowSeconds) => digest(`${fingerprint}/${windowSeconds}`, 5),
  hasUsedMerchant: (agentId, merchant) => digest(`${agentId}/${merchant}`, 3) !== 0,
};

/**
 * The same past, but with one rate for every counter and fingerprint: a delegate's own counters
 * and repeats are other facts than its delegator's, so attenuation compares the two at equal counts.
 */
const evenRates: Usage = {
  ...history,
  calls: (_key, windowSeconds) => digest(String(windowSeconds), 5),
  repeats: (_fingerprint, windowSeconds) => digest(String(windowSeconds), 5),
};

const RANK: Record<Outcome, number> = { deny: 0, pending: 1, allow: 2 };
const RUNS = { numRuns: 40 };

function tryLoad(state: OrganizationState) {
  const compiled = compileSnapshot(state, options());
  if (!compiled.ok) return null;
  const loaded = loadSnapshot(compiled.snapshot, TRUSTED_KEYS);
  return loaded.ok ? loaded.snapshot : null;
}

describe("decision invariants", () => {
  test("default deny: an empty snapshot allows nothing", () => {
    const empty = load(organization());
    fc.assert(
      fc.property(requestArb, (call) => {
        expect(evaluate(empty, call, usage(), NOW).outcome).toBe("deny");
      }),
      { numRuns: 100 },
    );
  });

  test("default deny: agents no policy grants anything are allowed nothing", () => {
    fc.assert(
      fc.property(stateArb, fc.array(requestArb, { minLength: 1, maxLength: 10 }), (state, calls) => {
        const withoutGrants = { ...state, policies: state.policies.map((entry) => ({ ...entry, document: { ...(entry.document as object), grants: [] } })) };
        const snapshot = load(withoutGrants);
        for (const call of calls) expect(evaluate(snapshot, call, history, NOW).outcome).toBe("deny");
      }),
      RUNS,
    );
  });

  test("monotonicity: adding a deny never allows more", () => {
    fc.assert(
      fc.property(stateArb, accessArb, fc.nat(), fc.array(requestArb, { minLength: 1, maxLength: 15 }), (state, deny, target, calls) => {
        const position = target % state.policies.length;
        const stricter = {
          ...state,
          policies: state.policies.map((entry, index) => {
            if (index !== position) return entry;
            const document = entry.document as { denies: object[] };
            return { ...entry, document: { ...document, denies: [...document.denies, { id: "added", ...deny }] } };
          }),
        };
        const before = load(state);
        const after = load(stricter);
        for (const call of calls) expect(RANK[evaluate(after, call, history, NOW).outcome]).toBeLessThanOrEqual(RANK[evaluate(before, call, history, NOW).outcome]);
      }),
      RUNS,
    );
  });

  test("monotonicity: lowering a limit, a cap, a rate or a repeat count never allows more", () => {
    // Each lowerable number of a document, by section: amounts of money, counts of calls.
    const LOWERABLE = { limits: "amount", caps: "amount", velocity: "maxCalls", loops: "maxRepeats" } as const;
    type Section = keyof typeof LOWERABLE;
    const lowerable = (state: OrganizationState) =>
      state.policies.flatMap((entry, policyIndex) =>
        (Object.keys(LOWERABLE) as Section[]).flatMap((section) => (entry.document as Record<Section, unknown[]>)[section].map((_, index) => ({ policyIndex, section, index }))),
      );
    fc.assert(
      fc.property(stateArb.filter((state) => lowerable(state).length > 0), fc.nat(), fc.integer({ min: 1, max: 3_000 }), fc.array(requestArb, { minLength: 1, maxLength: 15 }), (state, pick, cut, calls) => {
        const rules = lowerable(state);
        const { policyIndex, section, index } = rules[pick % rules.length]!;
        const stricter = structuredClone(state);
        const rule = (stricter.policies[policyIndex]!.document as Record<Section, Record<string, number>[]>)[section][index]!;
        const field = LOWERABLE[section];
        rule[field] = Math.max(1, rule[field]! - cut);
        const before = load(state);
        const after = load(stricter);
        for (const call of calls) expect(RANK[evaluate(after, call, history, NOW).outcome]).toBeLessThanOrEqual(RANK[evaluate(before, call, history, NOW).outcome]);
      }),
      RUNS,
    );
  });

  test("attenuation: a delegate is never allowed what its delegator is not, for any chain", () => {
    const chainArb = fc.record({
      state: stateArb,
      length: fc.integer({ min: 1, max: 4 }),
      narrowing: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      budgets: fc.array(fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: null }), { minLength: 4, maxLength: 4 }),
    });
    fc.assert(
      fc.property(chainArb, fc.array(requestArb, { minLength: 1, maxLength: 15 }), ({ state, length, narrowing: cuts, budgets }, calls) => {
        // The root holds a grant by construction; each delegation passes on part of its parent's scope.
        const rootGrant = { id: "root-grant", actions: PATTERNS.slice(0, 4) };
        const withRoot = { ...state, policies: [...state.policies, policy("pol_root", { selector: { agents: ["ag0"] }, grants: [rootGrant] })] };
        let actions = rootGrant.actions;
        let budget: number | null = null;
        const delegations = Array.from({ length }, (_, link) => {
          actions = actions.slice(0, Math.max(1, actions.length - (cuts[link]! % 2)));
          // Budgets only shrink down a chain, so carve-outs never exceed their parent.
          budget = budget === null ? budgets[link]! : Math.min(budget, budgets[link] ?? budget);
          return delegation(`del_${link}`, AGENTS[link]!, AGENTS[link + 1]!, {
            parentDelegationId: link === 0 ? null : `del_${link - 1}`,
            scope: { actions: [...actions] },
            budget: budget === null ? null : { amount: budget, currency: "USD" },
            maxDepth: length - 1 - link,
          });
        });
        const snapshot = tryLoad({ ...withRoot, delegations });
        fc.pre(snapshot !== null);
        for (const call of calls) {
          const delegate = evaluate(snapshot!, { ...call, agentId: AGENTS[length]!, onBehalfOf: `del_${length - 1}` }, evenRates, NOW);
          const delegatorCall = length === 1 ? { ...call, agentId: "ag0" } : { ...call, agentId: AGENTS[length - 1]!, onBehalfOf: `del_${length - 2}` };
          const delegator = evaluate(snapshot!, delegatorCall, evenRates, NOW);
          expect(RANK[delegate.outcome]).toBeLessThanOrEqual(RANK[delegator.outcome]);
        }
      }),
      RUNS,
    );
  });

  test("determinism: the same call on the same snapshot gets the same decision, warm or cold", () => {
    fc.assert(
      fc.property(stateArb, fc.array(requestArb, { minLength: 1, maxLength: 15 }), (state, calls) => {
        const warm = load(state);
        const first = calls.map((call) => evaluate(warm, call, history, NOW));
        const again = calls.map((call) => evaluate(warm, call, history, NOW));
        const cold = calls.map((call) => evaluate(load(state), call, history, NOW));
        expect(again).toEqual(first);
        expect(cold).toEqual(first);
      }),
      { numRuns: 20 },
    );
  });
});
