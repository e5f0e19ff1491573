import type { LoadedAgent, LoadedDelegation } from "./load";
import type { Cells, ChainState, RuleTable } from "./rule-table";

/**
 * Who a call is made for: the authority (root delegator, or the caller itself) first, the caller
 * last. Read only to explain a refusal or to judge an anomaly: what every decision reads of a
 * chain is in its record (CHAIN).
 */
export interface Chain {
  readonly agents: readonly LoadedAgent[];
  /** Root first; empty when the caller acts for itself. */
  readonly delegations: readonly LoadedDelegation[];
}

/**
 * The cells of a chain's record, in the order a decision reads them. A chain is named by the
 * position of its record in the snapshot's cells (its tables and state follow it when it is the
 * first to use them), so a cold call reaches all of it in one trip to memory from the Map lookup.
 */
export const CHAIN = {
  /** The agent that may make calls through the chain: the delegate of its last delegation. */
  callerId: 0,
  /** Whether the caller is active (a boolean). */
  callerActive: 1,
  /** Until when every delegation on the chain is live (neither expired nor revoked). */
  liveUntilMs: 2,
  /** Whether a delegator on the chain is suspended (the caller's own status is checked apart). */
  suspendedDelegator: 3,
  /**
   * The scope (a Target) of the last delegation, when every scope on the chain lies within the
   * one above it (as the compiler requires of live chains): then the call need only fit this one.
   * Null otherwise, and for an agent acting for itself.
   */
  narrowest: 4,
  /** How many delegations the chain has. */
  depth: 5,
  /** The RuleTable a call through the chain is checked against: every agent's rules, each rule once. */
  enforced: 6,
  /** The chain's ChainState for the enforced table. */
  enforcedState: 7,
  /** The table with shadow rules deciding too; null when no shadow policy selects an agent on it. */
  withShadow: 8,
  /** The chain's state for the shadow table; null with it. */
  shadowState: 9,
  /** Lowest trust score along the chain; null when some agent on it has none yet. */
  minTrust: 10,
  /** The ids of the chain's agents and delegations, as every decision reports them (frozen, shared). */
  ids: 11,
  /** The Chain. */
  chain: 12,
  stride: 13,
} as const;

/** Where a chain's record says its tables and states are. */
export interface ChainTables {
  readonly enforced: RuleTable;
  readonly enforcedState: ChainState;
  readonly withShadow: RuleTable | null;
  readonly shadowState: ChainState | null;
}

/** The Chain of the record at `chain`: read only off the hot path. */
export function chainAt(cells: Cells, chain: number): Chain {
  return cells[chain + CHAIN.chain] as Chain;
}
