import { reservations, resultRows, type Db } from "@tollgate/db";
import type { SpendBaseline } from "@tollgate/policy";
import { sql } from "drizzle-orm";

/** How far back an agent's committed spends count towards what it "usually" spends. */
export const BASELINE_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Each agent's spend baseline per currency (median and median absolute deviation of its
 * committed spends over the window), computed in the database. A commit of nothing is not a
 * spend, so it does not drag the median down.
 */
export async function readSpendBaselines(db: Db, organizationId: string, now: Date): Promise<Record<string, SpendBaseline[]>> {
  const since = new Date(now.getTime() - BASELINE_WINDOW_DAYS * DAY_MS).toISOString();
  const rows = resultRows<{ agent_id: string; currency: string; median: string | number; mad: string | number; samples: string | number }>(
    await db.execute(sql`
      with spends as (
        select ${reservations.agentId} as agent_id, ${reservations.currency} as currency, ${reservations.committedAmount} as amount
        from ${reservations}
        where ${reservations.organizationId} = ${organizationId} and ${reservations.status} = 'committed'
          and ${reservations.settledAt} >= ${since}::timestamptz and ${reservations.committedAmount} > 0
      ), centers as (
        select agent_id, currency, percentile_disc(0.5) within group (order by amount) as median, count(*) as samples
        from spends group by agent_id, currency
      )
      select c.agent_id, c.currency, c.median, c.samples, percentile_disc(0.5) within group (order by abs(s.amount - c.median)) as mad
      from centers c join spends s using (agent_id, currency)
      group by c.agent_id, c.currency, c.median, c.samples
    `),
  );
  const baselines: Record<string, SpendBaseline[]> = {};
  for (const row of rows) {
    (baselines[row.agent_id] ??= []).push({ currency: row.currency, median: Number(row.median), mad: Number(row.mad), samples: Number(row.samples) });
  }
  return baselines;
}
