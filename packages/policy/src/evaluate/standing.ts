import { ACTIONS, LIMIT, START, startOf, TARGET } from "../snapshot/rule-table";
import type { LoadedSnapshot } from "../snapshot/load";
import { envelopeAt } from "../snapshot/slots";
import type { Envelope } from "./decision";

/**
 * The envelopes every priced call of `agentId` acting for itself holds at `now`, whatever the
 * action, merchant or category: its limits that name no actions or targets, in calendar or
 * all-time windows (a session envelope has no window until a session names one). The same
 * objects `evaluate` lists in `holds`, so a worker can draw budget for them before the agent's
 * first call. Empty for an unknown or suspended agent.
 */
export function standingEnvelopes(snapshot: LoadedSnapshot, agentId: string, now: Date): Envelope[] {
  const chain = snapshot.soloChains.get(agentId);
  if (chain === undefined || !chain.callerActive) return [];
  const { enforced: rules, enforcedState: state } = chain;
  const standing: Envelope[] = [];
  for (let at = startOf(rules, START.limits); at < startOf(rules, START.amountApprovals); at += LIMIT.stride) {
    if (rules[at + ACTIONS] !== null || rules[at + TARGET] !== null || rules[at + LIMIT.period] === "session") continue;
    standing.push(envelopeAt(rules, state, at, snapshot.calendar, now.getTime(), ""));
  }
  return standing;
}
