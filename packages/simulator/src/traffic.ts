import { createCaller, createContext } from "@tollgate/api";
import type { Db } from "@tollgate/db";
import { createTollgate, type Tollgate } from "@tollgate/sdk";
import { CURRENCY, type Archetype, type SimulatedAgent, type SimulatedWorld } from "./world";

/** One call an agent made, as the worker answered it. */
export interface CallRecord {
  session: number;
  agent: string;
  archetype: Archetype;
  action: string;
  amount: number;
  outcome: "allow" | "deny" | "pending";
  /** The first reason the worker gave, for a deny or a pending. */
  code: string | null;
  /** How the reviewer settled a pending call. */
  approval: "approved" | "denied" | null;
  /** Set on the attempts of one retry loop: which loop, and which attempt (from 1). */
  loop: { id: string; attempt: number } | null;
}

/** What an agent asks for; the simulator adds the session, request id and currency. */
export interface Ask {
  action: string;
  amount: number;
  merchant?: string;
  category?: string;
  onBehalfOf?: string;
}

/** How the paid call went once allowed: it cost `cost` (at most what was held), or it failed. */
export type Result = { cost: number } | "fails";

/** Answers a pending approval as a person would; true approves. */
export type Reviewer = (approvalId: string, approve: boolean) => Promise<void>;

/**
 * The scripted reviewer: the organization's reviewer answering through the console's approval
 * action, one approval at a time as one person would. (Concurrent decisions in one organization
 * can deadlock on PostgreSQL: each vote's foreign key share-locks the organization row that the
 * audit chain then locks for update.)
 */
export function scriptedReviewer(db: Db, world: SimulatedWorld): Reviewer {
  const caller = createCaller(createContext({ db, session: { userId: world.reviewerId, organizationId: world.organizationId, role: "reviewer" } }));
  let desk: Promise<unknown> = Promise.resolve();
  return (approvalId, approve) => {
    const answer = desk.then(() =>
      caller.approvals.decide({ id: approvalId, verdict: approve ? "approve" : "deny", note: approve ? "looks like its usual spend" : "not what this agent does" }),
    );
    desk = answer.catch(() => undefined);
    return answer.then(() => undefined);
  };
}

/** An agent's client of the worker, through the SDK. */
export function agentClient(agent: SimulatedAgent, workerUrl: string): Tollgate {
  // No retries: a simulated call that did not reach the worker is a failure of the simulation.
  return createTollgate({ url: workerUrl, key: agent.key, retries: 0 });
}

/**
 * One agent's session against the worker. `call` asks, lets the scripted reviewer answer a
 * pending call (careful agents approved, the others denied), then commits what the call cost or
 * releases the hold when it failed, and records what happened.
 */
export function agentSession({
  gate,
  agent,
  session,
  reviewer,
  record,
}: {
  gate: Tollgate;
  agent: SimulatedAgent;
  session: number;
  reviewer: Reviewer;
  record: (call: CallRecord) => void;
}) {
  const sessionId = `${agent.name}-session-${session}`;
  let calls = 0;
  return async function call(ask: Ask, result: Result, loop: CallRecord["loop"] = null): Promise<CallRecord["outcome"]> {
    calls++;
    const { amount, ...rest } = ask;
    const answer = await gate.decide({ ...rest, amount: { amount, currency: CURRENCY }, sessionId, requestId: `${sessionId}-call-${calls}` });
    let reservationId = answer.reservationId;
    let approval: CallRecord["approval"] = null;
    if (answer.decision === "pending") {
      await reviewer(answer.approvalId!, agent.archetype === "careful");
      const settled = await gate.waitForApproval(answer.approvalId!, { timeoutMs: 10_000 });
      if (settled.status !== "approved" && settled.status !== "denied") {
        throw new Error(`approval ${answer.approvalId} is still ${settled.status} after the reviewer answered`);
      }
      approval = settled.status;
      reservationId = settled.status === "approved" ? settled.reservationId : undefined;
    }
    if (reservationId) {
      if (result === "fails") await gate.release(reservationId);
      else await gate.commit(reservationId, { amount: result.cost, currency: CURRENCY });
    }
    record({
      session,
      agent: agent.name,
      archetype: agent.archetype,
      action: ask.action,
      amount,
      outcome: answer.decision,
      code: answer.reasons[0]?.code ?? null,
      approval,
      loop,
    });
    return answer.decision;
  };
}

export type Call = ReturnType<typeof agentSession>;
