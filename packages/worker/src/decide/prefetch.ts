import { standingEnvelopes, type LoadedSnapshot } from "@tollgate/policy";
import type { Budget } from "../budget";
import type { SnapshotStore } from "../snapshots/store";
import { toHold } from "./holds";

/** Agents whose leases are drawn per round: one draw transaction's worth, then the event loop breathes. */
const AGENTS_PER_ROUND = 500;

export interface LeasePrefetchConfig {
  store: SnapshotStore;
  budget: Pick<Budget, "prefetch">;
  now: () => Date;
  log: (level: "warn", msg: string, fields: Record<string, unknown>) => void;
}

/**
 * Draws every agent's standing envelopes (see `standingEnvelopes`) whenever a snapshot is
 * installed and again when their calendar windows turn, so an agent's first call of the day
 * is answered from memory instead of waiting on a lease draw. Runs behind the requests: one
 * organization at a time, in rounds; the requests' own draws join the same group commits.
 */
export function startLeasePrefetch(config: LeasePrefetchConfig): { stop: () => void } {
  const { store, budget, now } = config;
  const queued = new Set<string>();
  let running: Promise<void> = Promise.resolve();
  /** The one timer for the earliest window turn seen, and when that turn is. */
  let turn: { timer: NodeJS.Timeout; at: number } | null = null;
  let stopped = false;

  const prefetch = async (snapshot: LoadedSnapshot): Promise<number> => {
    const at = now();
    let nextTurn = Infinity;
    const agentIds = [...snapshot.soloChains.keys()];
    for (let i = 0; i < agentIds.length && !stopped; i += AGENTS_PER_ROUND) {
      const envelopes = agentIds.slice(i, i + AGENTS_PER_ROUND).flatMap((agentId) => standingEnvelopes(snapshot, agentId, at));
      for (const envelope of envelopes) if (envelope.windowEnd !== null) nextTurn = Math.min(nextTurn, Date.parse(envelope.windowEnd));
      await budget.prefetch(snapshot.organization.id, envelopes.map(toHold));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return nextTurn;
  };

  const schedule = (organizationId: string) => {
    if (stopped || queued.has(organizationId)) return;
    queued.add(organizationId);
    running = running.then(async () => {
      queued.delete(organizationId);
      // The newest snapshot by the time its turn comes.
      const snapshot = store.forOrganization(organizationId);
      if (!snapshot || stopped) return;
      try {
        const nextTurn = await prefetch(snapshot);
        if (Number.isFinite(nextTurn)) armTurn(nextTurn);
      } catch (error) {
        config.log("warn", "lease prefetch failed; first calls draw their own", { organizationId, error: (error as Error).message });
      }
    });
  };

  // At the turn, every organization is prefetched again (cheap for envelopes already leased),
  // which re-arms the timer from what it saw.
  const armTurn = (at: number) => {
    if (turn && turn.at <= at) return;
    if (turn) clearTimeout(turn.timer);
    const timer = setTimeout(() => {
      turn = null;
      for (const organizationId of Object.keys(store.versions())) schedule(organizationId);
    }, Math.max(0, at - now().getTime()) + 1_000);
    timer.unref();
    turn = { timer, at };
  };

  const unsubscribe = store.onInstall((snapshot) => schedule(snapshot.organization.id));
  for (const organizationId of Object.keys(store.versions())) schedule(organizationId);
  return {
    stop() {
      stopped = true;
      unsubscribe();
      if (turn) clearTimeout(turn.timer);
    },
  };
}
