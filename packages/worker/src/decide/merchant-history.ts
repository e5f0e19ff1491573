import { agentMerchants, type Db } from "@tollgate/db";
import { gt } from "drizzle-orm";
import type { WorkerLog } from "../core";

export interface MerchantHistoryOptions {
  /** How often to read the pairs other workers added; 0 reads them only when `refresh` is called. */
  refreshMs: number;
  log: WorkerLog;
}

/** How far back each refresh reads again: a pair stamped at its insert may commit a little later. */
const REREAD_MS = 60_000;
/** After a failed write, how long before the unwritten pairs are tried again. */
const RETRY_MS = 1_000;

const pairKey = (agentId: string, merchant: string) => `${agentId}\u0000${merchant}`;

/**
 * Which merchants each agent has spent with, for first-merchant approvals, kept in
 * `agent_merchants`: read whole at start and what other workers added every `refreshMs`, and
 * added to as this worker allows calls at new merchants, in memory at once and in the table soon
 * after. It errs one way only: a pair not yet written, or not yet read by another worker, is a
 * first use there once more, which asks a human rather than lets a call through.
 */
export async function openMerchantHistory(db: Db, { refreshMs, log }: MerchantHistoryOptions) {
  const known = new Set<string>();
  let unwritten: (typeof agentMerchants.$inferInsert)[] = [];
  let writing: Promise<void> = Promise.resolve();
  let retry: NodeJS.Timeout | undefined;
  let since: Date | null = null;
  let closed = false;

  async function read(): Promise<void> {
    const rows = await db
      .select({ agentId: agentMerchants.agentId, merchant: agentMerchants.merchant, firstUsedAt: agentMerchants.firstUsedAt })
      .from(agentMerchants)
      .where(since === null ? undefined : gt(agentMerchants.firstUsedAt, since));
    let newest = -Infinity;
    for (const { agentId, merchant, firstUsedAt } of rows) {
      known.add(pairKey(agentId, merchant));
      newest = Math.max(newest, firstUsedAt.getTime());
    }
    // From the newest stamp read (the database's clock, not ours); an empty read leaves the mark.
    if (newest > -Infinity) since = new Date(newest - REREAD_MS);
  }

  function write(): void {
    if (unwritten.length === 0) return;
    const batch = unwritten;
    unwritten = [];
    writing = writing.then(async () => {
      try {
        await db.insert(agentMerchants).values(batch).onConflictDoNothing();
      } catch (error) {
        log("warn", "merchant history not written yet; retrying", { pairs: batch.length, error: String(error) });
        unwritten = [...batch, ...unwritten];
        if (closed) return;
        retry ??= setTimeout(() => {
          retry = undefined;
          write();
        }, RETRY_MS);
      }
    });
  }

  await read();
  const refreshing = refreshMs > 0 ? setInterval(() => void refresh(), refreshMs) : undefined;
  refreshing?.unref();
  let reading: Promise<void> | null = null;
  function refresh(): Promise<void> {
    reading ??= read()
      .catch((error: unknown) => log("warn", "merchant history not refreshed", { error: String(error) }))
      .finally(() => (reading = null));
    return reading;
  }

  return {
    /** Whether the agent has spent with the merchant, as far as this worker knows. */
    has(agentId: string, merchant: string): boolean {
      return known.has(pairKey(agentId, merchant));
    },

    /** Remembers that the agents on an allowed call's chain have now used the merchant. */
    note(organizationId: string, agentIds: readonly string[], merchant: string): void {
      for (const agentId of agentIds) {
        const key = pairKey(agentId, merchant);
        if (known.has(key)) continue;
        known.add(key);
        unwritten.push({ organizationId, agentId, merchant });
      }
      write();
    },

    /** Reads now what other workers added since the last read. */
    refresh,

    /** Resolves once every pair noted so far has been written, or has failed and waits to retry. */
    flushed: () => writing,

    /** Stops refreshing and makes a last attempt at what is unwritten. */
    async close(): Promise<void> {
      closed = true;
      clearInterval(refreshing);
      clearTimeout(retry);
      retry = undefined;
      write();
      await writing;
      await reading;
      if (unwritten.length > 0) log("warn", "merchant history left unwritten at stop", { pairs: unwritten.length });
    },
  };
}

export type MerchantHistory = Awaited<ReturnType<typeof openMerchantHistory>>;
