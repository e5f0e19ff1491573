import type { Random } from "./random";
import type { Call } from "./traffic";
import type { Archetype, SimulatedAgent } from "./world";

/** One session of an agent: what it asks the worker, drawn from its own seeded stream. */
export interface SessionScript {
  agent: SimulatedAgent;
  /** 1 for the first session. */
  session: number;
  random: Random;
  call: Call;
}

/** Calls a careful agent makes per session; the archetypes that start out careful make as many, so only misbehaviour separates them. */
const CALLS_PER_SESSION = 12;

/** Everyday spend: a known merchant, 5–40 USD, costing 80–100 % of what was held. */
async function everydayCalls({ agent, random, call }: SessionScript, count: number, actions = ["shop.order", "cloud.compute"]) {
  for (let n = 0; n < count; n++) {
    const amount = random.int(500, 4_000);
    await call({ action: random.pick(actions), merchant: random.pick(agent.merchants), amount }, { cost: Math.round((amount * random.int(80, 100)) / 100) });
  }
}

/** Spends within its envelopes, commits what it asks, at merchants it has used before. */
async function careful(script: SessionScript) {
  await everydayCalls(script, CALLS_PER_SESSION);
}

/** A few ordinary calls, then one failing call retried eight times, whatever the worker answers. */
async function loopy(script: SessionScript) {
  await everydayCalls(script, 4, ["cloud.compute"]);
  // A different amount each session, so each session's loop is a new call, not a continuation.
  const ask = { action: "cloud.inference", merchant: "gpu-pool", amount: 1_000 + 37 * script.session };
  const id = `${script.agent.name}-session-${script.session}`;
  for (let attempt = 1; attempt <= 8; attempt++) await script.call(ask, "fails", { id, attempt });
}

/** Orders whose size grows 1.5× each session, until they hit the session envelope and then the approval threshold. */
async function drifting({ agent, session, random, call }: SessionScript) {
  const typical = 2_000 * 1.5 ** (session - 1);
  for (let n = 0; n < CALLS_PER_SESSION; n++) {
    const amount = Math.round(typical * (0.9 + 0.2 * random.next()));
    await call({ action: "shop.order", merchant: random.pick(agent.merchants), amount }, { cost: amount });
  }
}

/**
 * Careful in the first session; from the second its key is also in a thief's hands: actions it
 * never used, a casino, new merchants and large amounts, alongside the owner's own few calls.
 */
async function stolenKey(script: SessionScript) {
  const { session, random, call } = script;
  if (session === 1) return everydayCalls(script, CALLS_PER_SESSION);
  await everydayCalls(script, 4);
  for (let n = 0; n < 2; n++) await call({ action: "crypto.transfer", merchant: "anon-exchange", amount: random.int(40_000, 90_000) }, { cost: 0 });
  for (let n = 0; n < 2; n++) await call({ action: "shop.order", merchant: "lucky-casino", category: "gambling", amount: random.int(5_000, 20_000) }, { cost: 0 });
  for (let n = 0; n < 3; n++) {
    const amount = random.int(20_000, 45_000);
    await call({ action: "shop.order", merchant: `electronics-outlet-${random.int(1, 99)}`, amount }, { cost: amount });
  }
  await call({ action: "shop.order", merchant: "gift-cards-direct", amount: random.int(60_000, 99_000) }, { cost: 0 });
}

/**
 * Acts for the careful agent that delegated shopping to it: in scope and within the budget in
 * the first session; after that it also buys cloud capacity on the delegation (out of scope)
 * and ever larger orders, until the delegated budget is gone.
 */
async function overDelegator(script: SessionScript) {
  const { agent, session, random, call } = script;
  const onBehalfOf = agent.delegationId!;
  await everydayCalls(script, 8, ["cloud.compute"]);
  const orders = session === 1 ? 4 : 2;
  for (let n = 0; n < orders; n++) {
    const amount = Math.round(random.int(2_000, 4_000) * 1.5 ** (session - 1));
    await call({ action: "shop.order", merchant: random.pick(agent.merchants), amount, onBehalfOf }, { cost: amount });
  }
  if (session === 1) return;
  for (let n = 0; n < 2; n++) {
    const amount = random.int(2_000, 6_000);
    await call({ action: "cloud.compute", merchant: "gpu-pool", amount, onBehalfOf }, { cost: amount });
  }
}

export const SCRIPTS: Record<Archetype, (script: SessionScript) => Promise<void>> = {
  careful,
  loopy,
  drifting,
  "stolen-key": stolenKey,
  "over-delegator": overDelegator,
};
