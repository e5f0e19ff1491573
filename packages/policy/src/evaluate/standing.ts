import { ACTIONS, LIMIT, START, startOf, TARGET, type ChainState, type RuleTable } from "../snapshot/rule-table";
import { CHAIN } from "../snapshot/chain-record";
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
  const { cells } = snapshot;
  const chain = snapshot.soloChains.get(agentId);
  if (chain === undefined || cells[chain + CHAIN.callerActive] !== true) return [];
  const table = cells[chain + CHAIN.enforced] as RuleTable;
  const state = cells[chain + CHAIN.enforcedState] as ChainState;
  const standing: Envelope[] = [];
  for (let at = startOf(cells, table, START.limits); at < startOf(cells, table, START.amountApprovals); at += LIMIT.stride) {
    if (cells[at + ACTIONS] !== null || cells[at + TARGET] !== null || cells[at + LIMIT.period] === "session") continue;
    standing.push(envelopeAt(cells, state, at, snapshot.calendar, now.getTime(), ""));
  }
  return standing;
}
