import { randomUUID } from "node:crypto";
import {
  budgetLeases,
  envelopes,
  organizations,
  reservationEnvelopes,
  reservations,
  type Db,
} from "@tollgate/db";
import { agentFixture, organizationFixture, userFixture } from "@tollgate/db/testing";
import { eq, inArray, sql } from "drizzle-orm";
import type { EnvelopeToHold, HoldRequest } from "../types";

/** A fresh organization with one agent, so parallel test files never share an envelope. */
export async function tenantFixture(db: Db): Promise<{ organizationId: string; agentId: string; remove(): Promise<void> }> {
  const org = await organizationFixture(db);
  const agent = await agentFixture(db, await userFixture(db, org.id));
  return {
    organizationId: org.id,
    agentId: agent.id,
    remove: async () => {
      await db.delete(organizations).where(eq(organizations.id, org.id));
    },
  };
}

/** A USD envelope with a unique key, of `limit` cents unless told otherwise. */
export function envelopeFixture(limit: number, values: Partial<EnvelopeToHold> = {}): EnvelopeToHold {
  return {
    key: `agent:test|${randomUUID().slice(0, 8)}`,
    period: "day",
    periodStart: new Date("2026-11-24T00:00:00Z"),
    limit: { amount: limit, currency: "USD" },
    ...values,
  };
}

/** A hold of `amount` cents on `envelopes`, expiring in an hour. */
export function holdFixture(
  tenant: { organizationId: string; agentId: string },
  envelopeList: EnvelopeToHold[],
  amount: number,
  values: Partial<HoldRequest> = {},
): HoldRequest {
  return {
    organizationId: tenant.organizationId,
    agentId: tenant.agentId,
    reservationId: randomUUID(),
    envelopes: envelopeList,
    amount: { amount, currency: "USD" },
    expiresAt: new Date(Date.now() + 3_600_000),
    ...values,
  };
}

/** An envelope's stored totals, and the same totals recomputed from its reservations and leases, in one snapshot. */
export async function envelopeTotals(db: Db, organizationId: string, key: string) {
  const result = await db.execute(sql`
    select e.limit_amount as "limit", e.held_amount as held, e.committed_amount as committed, e.leased_amount as leased,
      (select coalesce(sum(r.amount) filter (where r.status = 'held'), 0) from ${reservationEnvelopes} re
        join ${reservations} r on r.id = re.reservation_id where re.envelope_id = e.id) as from_held,
      (select coalesce(sum(r.committed_amount), 0) from ${reservationEnvelopes} re
        join ${reservations} r on r.id = re.reservation_id where re.envelope_id = e.id) as from_committed,
      (select count(*) from ${reservationEnvelopes} re where re.envelope_id = e.id) as from_count,
      (select coalesce(sum(l.amount), 0) from ${budgetLeases} l where l.envelope_id = e.id) as from_leases
    from ${envelopes} e
    where e.organization_id = ${organizationId} and e.envelope_key = ${key}`);
  const rows = (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as Record<string, string | number>[];
  const row = rows[0];
  if (!row) return null;
  const n = (column: string) => Number(row[column]);
  return {
    limit: n("limit"),
    held: n("held"),
    committed: n("committed"),
    leased: n("leased"),
    fromReservations: { held: n("from_held"), committed: n("from_committed"), count: n("from_count") },
    fromLeases: n("from_leases"),
  };
}

export async function reservationStatuses(db: Db, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await db.select({ id: reservations.id, status: reservations.status }).from(reservations).where(inArray(reservations.id, ids));
  return new Map(rows.map((r) => [r.id, r.status as string]));
}
