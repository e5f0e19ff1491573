// The budget's PostgreSQL side: every statement that moves money between an envelope's
// free, leased, held and committed amounts. Each function is one transaction.
//
// Lock order, everywhere: reservation rows, then envelope rows by id, then lease rows by id.
// Keeping one order makes concurrent workers queue behind each other instead of deadlocking.
import { budgetLeases, envelopeLedger, envelopes, reservationEnvelopes, reservations, type Db } from "@tollgate/db";
import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { EnvelopeToHold, Money, SweepResult } from "./types";

/** The transaction could not apply as planned; it was rolled back and nothing moved. */
export class BudgetWriteRefused extends Error {
  constructor(
    message: string,
    /** The lease that no longer had the money, when that was the reason. */
    readonly leaseId?: string,
  ) {
    super(message);
  }
}

/**
 * A PostgreSQL array literal for values already validated as UUIDs, ISO timestamps, currency
 * codes or integers (none needs quoting); sent as one parameter, never spliced into SQL.
 */
const arrayLiteral = (values: (string | number | null)[]) => `{${values.map((v) => (v === null ? "NULL" : String(v))).join(",")}}`;

/** Rows of a raw `execute`, which postgres.js returns as an array and PGlite as `{ rows }`. */
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

const sum = (into: Map<string, number>, key: string, amount: number) => into.set(key, (into.get(key) ?? 0) + amount);
const sortedEntries = (map: Map<string, number>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export interface DrawLeaseInput {
  organizationId: string;
  workerId: string;
  envelope: EnvelopeToHold;
  /** What the waiting holds lack in total, beyond the worker's balance (0 for a background refill). */
  wanted: number;
  /** The smallest single lack among them: a grant below it helps no one and would strand money. */
  smallestWant: number;
  /** The largest request waiting: slices are whole multiples of it, so uniform requests strand nothing. */
  unit: number;
  /** A slice is at most 1/spread of what is free (but at least one request), so slices shrink near the limit. */
  spread: number;
  leaseExpiresAt: Date;
}

export type DrawLeaseResult =
  | { kind: "granted"; envelopeId: string; leaseId: string | null; granted: number; free: number }
  | { kind: "currency_mismatch"; envelopeCurrency: string };

/** How much of `free` one worker's lease may draw; see ARCHITECTURE.md, "Slices". */
export function sliceToGrant(free: number, { wanted, smallestWant, unit, spread }: Pick<DrawLeaseInput, "wanted" | "smallestWant" | "unit" | "spread">): number {
  if (unit <= 0) return 0;
  const natural = Math.floor(Math.floor(free / spread) / unit) * unit;
  // A background refill (nobody waiting) takes only a real slice, never the envelope's last few requests.
  if (wanted === 0) return natural;
  const slice = Math.max(unit, natural);
  if (free >= slice) return slice;
  // Less than one request is free: give the waiters exactly what fits, or nothing.
  const fits = Math.min(wanted, free);
  return fits >= smallestWant && smallestWant > 0 ? fits : 0;
}

/**
 * Draws a slice of an envelope into this worker's lease, creating the envelope for a new
 * period window on first use.
 */
export async function drawLease(db: Db, input: DrawLeaseInput): Promise<DrawLeaseResult> {
  const { organizationId, envelope } = input;
  return db.transaction(async (tx) => {
    const window = and(
      eq(envelopes.organizationId, organizationId),
      eq(envelopes.envelopeKey, envelope.key),
      eq(envelopes.periodStart, envelope.periodStart),
    );
    let [row] = await tx.select().from(envelopes).where(window).for("update");
    if (!row) {
      await tx
        .insert(envelopes)
        .values({
          organizationId,
          envelopeKey: envelope.key,
          agentId: envelope.agentId ?? null,
          period: envelope.period,
          periodStart: envelope.periodStart,
          limitAmount: envelope.limit.amount,
          currency: envelope.limit.currency,
        })
        .onConflictDoNothing();
      [row] = await tx.select().from(envelopes).where(window).for("update");
      if (!row) throw new BudgetWriteRefused(`envelope ${envelope.key} could not be created`);
    }
    if (row.currency !== envelope.limit.currency) return { kind: "currency_mismatch", envelopeCurrency: row.currency };

    const used = row.heldAmount + row.committedAmount + row.leasedAmount;
    // The compiled policy owns the limit; lowering it below what is already used stops new holds.
    const limit = Math.max(envelope.limit.amount, used);
    const free = limit - used;
    const granted = sliceToGrant(free, input);
    if (granted === 0 && limit === row.limitAmount) {
      return { kind: "granted", envelopeId: row.id, leaseId: null, granted: 0, free };
    }
    // INVARIANT: held + committed + leased <= limit, so held + committed <= limit.
    await tx
      .update(envelopes)
      .set({ limitAmount: limit, leasedAmount: sql`${envelopes.leasedAmount} + ${granted}`, updatedAt: new Date() })
      .where(eq(envelopes.id, row.id));
    if (granted === 0) return { kind: "granted", envelopeId: row.id, leaseId: null, granted: 0, free };
    const [lease] = await tx
      .insert(budgetLeases)
      .values({ organizationId, envelopeId: row.id, workerId: input.workerId, amount: granted, expiresAt: input.leaseExpiresAt })
      .onConflictDoUpdate({
        target: [budgetLeases.envelopeId, budgetLeases.workerId],
        set: { amount: sql`${budgetLeases.amount} + ${granted}`, expiresAt: input.leaseExpiresAt },
      })
      .returning({ id: budgetLeases.id });
    return { kind: "granted", envelopeId: row.id, leaseId: lease!.id, granted, free: free - granted };
  });
}

/** One hold to write: the request, and which lease paid for it on each envelope. */
export interface HoldToWrite {
  organizationId: string;
  reservationId: string;
  agentId: string;
  decisionId?: string;
  amount: Money;
  expiresAt: Date;
  draws: { envelopeId: string; leaseId: string }[];
}

export interface WriteHoldsResult {
  /** Reservations this batch created. */
  written: Set<string>;
  /** Reservation ids that already existed, with what they hold: their leases were not charged. */
  existing: Map<string, { organizationId: string; status: string; amount: number; currency: string }>;
}

/**
 * Makes a batch of holds durable in one transaction (the group commit): their money moves from
 * the leases that paid for them to the envelopes' held amounts. If any lease no longer has the
 * money (a sweep reclaimed it), the whole batch is refused and nothing moves.
 */
export async function writeHolds(db: Db, holds: HoldToWrite[]): Promise<WriteHoldsResult> {
  return db.transaction(async (tx) => {
    // Arrays through unnest: one short statement for the whole batch, however large, instead of
    // a VALUES list with a parameter per cell (several times slower to parse and bind).
    const inserted = rowsOf<{ id: string }>(
      await tx.execute(sql`
        insert into ${reservations} (id, organization_id, agent_id, decision_id, amount, currency, expires_at)
        select * from unnest(
          ${arrayLiteral(holds.map((h) => h.reservationId))}::uuid[],
          ${arrayLiteral(holds.map((h) => h.organizationId))}::uuid[],
          ${arrayLiteral(holds.map((h) => h.agentId))}::uuid[],
          ${arrayLiteral(holds.map((h) => h.decisionId ?? null))}::uuid[],
          ${arrayLiteral(holds.map((h) => h.amount.amount))}::bigint[],
          ${arrayLiteral(holds.map((h) => h.amount.currency))}::text[],
          ${arrayLiteral(holds.map((h) => h.expiresAt.toISOString()))}::timestamptz[])
        on conflict (id) do nothing
        returning id`),
    );
    const written = new Set(inserted.map((r) => r.id));
    const existing: WriteHoldsResult["existing"] = new Map();
    const duplicates = holds.filter((h) => !written.has(h.reservationId)).map((h) => h.reservationId);
    if (duplicates.length > 0) {
      const rows = await tx
        .select({
          id: reservations.id,
          organizationId: reservations.organizationId,
          status: reservations.status,
          amount: reservations.amount,
          currency: reservations.currency,
        })
        .from(reservations)
        .where(inArray(reservations.id, duplicates));
      for (const { id, ...rest } of rows) existing.set(id, rest);
    }

    const byEnvelope = new Map<string, number>();
    const byLease = new Map<string, number>();
    const links: { reservationId: string; envelopeId: string; organizationId: string; amount: number }[] = [];
    const seen = new Set<string>();
    for (const h of holds) {
      // A batch may carry the same new id twice (a retry racing itself): charge it once.
      if (!written.has(h.reservationId) || seen.has(h.reservationId)) continue;
      seen.add(h.reservationId);
      for (const d of h.draws) {
        sum(byEnvelope, d.envelopeId, h.amount.amount);
        sum(byLease, d.leaseId, h.amount.amount);
        links.push({ reservationId: h.reservationId, envelopeId: d.envelopeId, organizationId: h.organizationId, amount: h.amount.amount });
      }
    }
    for (const [envelopeId, amount] of sortedEntries(byEnvelope)) {
      const moved = await tx
        .update(envelopes)
        .set({
          heldAmount: sql`${envelopes.heldAmount} + ${amount}`,
          leasedAmount: sql`${envelopes.leasedAmount} - ${amount}`,
          updatedAt: new Date(),
        })
        .where(and(eq(envelopes.id, envelopeId), gte(envelopes.leasedAmount, amount)))
        .returning({ id: envelopes.id });
      if (moved.length === 0) throw new BudgetWriteRefused(`envelope ${envelopeId} has less than ${amount} leased`);
    }
    for (const [leaseId, amount] of sortedEntries(byLease)) {
      const spent = await tx
        .update(budgetLeases)
        .set({ amount: sql`${budgetLeases.amount} - ${amount}` })
        .where(and(eq(budgetLeases.id, leaseId), gte(budgetLeases.amount, amount)))
        .returning({ id: budgetLeases.id });
      if (spent.length === 0) throw new BudgetWriteRefused(`lease ${leaseId} was reclaimed or holds less than ${amount}`, leaseId);
    }
    if (links.length > 0) {
      await tx.execute(sql`
        with pairs as (
          select * from unnest(
            ${arrayLiteral(links.map((l) => l.reservationId))}::uuid[],
            ${arrayLiteral(links.map((l) => l.envelopeId))}::uuid[],
            ${arrayLiteral(links.map((l) => l.organizationId))}::uuid[],
            ${arrayLiteral(links.map((l) => l.amount))}::bigint[]) as p(reservation_id, envelope_id, organization_id, amount)
        ), linked as (
          insert into ${reservationEnvelopes} (reservation_id, envelope_id) select reservation_id, envelope_id from pairs
        )
        insert into ${envelopeLedger} (organization_id, envelope_id, reservation_id, kind, amount)
        select organization_id, envelope_id, reservation_id, 'hold', amount from pairs`);
    }
    return { written, existing };
  });
}

/** Gives `amount` of a lease back to its envelope (the worker stopped needing it). */
export async function returnToEnvelope(db: Db, lease: { envelopeId: string; leaseId: string }, amount: number): Promise<void> {
  await db.transaction(async (tx) => {
    const moved = await tx
      .update(envelopes)
      .set({ leasedAmount: sql`${envelopes.leasedAmount} - ${amount}`, updatedAt: new Date() })
      .where(and(eq(envelopes.id, lease.envelopeId), gte(envelopes.leasedAmount, amount)))
      .returning({ id: envelopes.id });
    const shrunk = await tx
      .update(budgetLeases)
      .set({ amount: sql`${budgetLeases.amount} - ${amount}` })
      .where(and(eq(budgetLeases.id, lease.leaseId), gte(budgetLeases.amount, amount)))
      .returning({ id: budgetLeases.id });
    if (moved.length === 0 || shrunk.length === 0) throw new BudgetWriteRefused(`lease ${lease.leaseId} holds less than ${amount}`);
  });
}

/** Deletes leases and returns all their money to their envelopes. */
async function reclaimLeases(
  db: Db,
  which: { workerId: string } | { expiredBefore: Date; organizationId?: string } | { ids: string[] },
): Promise<number> {
  const criteria =
    "workerId" in which
      ? eq(budgetLeases.workerId, which.workerId)
      : "ids" in which
        ? inArray(budgetLeases.id, which.ids)
        : and(
            lt(budgetLeases.expiresAt, which.expiredBefore),
            which.organizationId ? eq(budgetLeases.organizationId, which.organizationId) : undefined,
          )!;
  return db.transaction(async (tx) => {
    const candidates = await tx.select({ envelopeId: budgetLeases.envelopeId }).from(budgetLeases).where(criteria);
    if (candidates.length === 0) return 0;
    const envelopeIds = [...new Set(candidates.map((c) => c.envelopeId))].sort();
    await tx.select({ id: envelopes.id }).from(envelopes).where(inArray(envelopes.id, envelopeIds)).orderBy(asc(envelopes.id)).for("update");
    // Re-checked under the locks: a lease renewed meanwhile is no longer expired.
    const doomed = await tx
      .select({ id: budgetLeases.id })
      .from(budgetLeases)
      .where(and(criteria, inArray(budgetLeases.envelopeId, envelopeIds)))
      .orderBy(asc(budgetLeases.id))
      .for("update");
    if (doomed.length === 0) return 0;
    const deleted = await tx
      .delete(budgetLeases)
      .where(
        inArray(
          budgetLeases.id,
          doomed.map((d) => d.id),
        ),
      )
      .returning({ envelopeId: budgetLeases.envelopeId, amount: budgetLeases.amount });
    const byEnvelope = new Map<string, number>();
    for (const d of deleted) sum(byEnvelope, d.envelopeId, d.amount);
    for (const [envelopeId, amount] of sortedEntries(byEnvelope)) {
      await tx
        .update(envelopes)
        .set({ leasedAmount: sql`${envelopes.leasedAmount} - ${amount}`, updatedAt: new Date() })
        .where(eq(envelopes.id, envelopeId));
    }
    return deleted.length;
  });
}

/** Returns every lease a worker holds: at its shutdown, or at its restart after a crash. */
export const reclaimWorkerLeases = (db: Db, workerId: string) => reclaimLeases(db, { workerId });
export const reclaimLeasesById = (db: Db, ids: string[]) => reclaimLeases(db, { ids });

/** Pushes back the expiry of a worker's live leases so the sweep leaves them alone. */
export async function renewLeases(db: Db, ids: string[], expiresAt: Date): Promise<void> {
  if (ids.length === 0) return;
  // Locks in id order, like every batch does, so a renewal never deadlocks with a batch.
  const locked = db.select({ id: budgetLeases.id }).from(budgetLeases).where(inArray(budgetLeases.id, ids)).orderBy(asc(budgetLeases.id)).for("update");
  await db.update(budgetLeases).set({ expiresAt }).where(inArray(budgetLeases.id, locked));
}

/** A commit or release a caller asked for. */
export type Settlement = { organizationId: string; reservationId: string } & (
  | { kind: "commit"; amount: { amount: number; currency: string } }
  | { kind: "release" }
);

export type SettleOutcome =
  | { kind: "settled" }
  | { kind: "missing" }
  | { kind: "already"; status: "held" | "committed" | "released" | "expired"; amount: number; committedAmount: number | null; currency: string };

type ReservationState = { organizationId: string; status: "held" | "committed" | "released" | "expired"; amount: number; committedAmount: number | null; currency: string };

/**
 * Settles a batch of commits and releases in one transaction (group commit, like holds): each
 * held reservation moves to committed or released, and its money out of held on every envelope.
 * Requests are applied in order, so a commit and a release of one reservation in one batch settle
 * it once, the first way asked.
 */
export async function settleReservations(db: Db, requests: Settlement[]): Promise<SettleOutcome[]> {
  return db.transaction(async (tx) => {
    const ids = [...new Set(requests.map((r) => r.reservationId))].sort();
    const rows = await tx
      .select({
        id: reservations.id,
        organizationId: reservations.organizationId,
        status: reservations.status,
        amount: reservations.amount,
        committedAmount: reservations.committedAmount,
        currency: reservations.currency,
      })
      .from(reservations)
      .where(sql`${reservations.id} = any(${arrayLiteral(ids)}::uuid[])`)
      .orderBy(asc(reservations.id))
      .for("update");
    const state = new Map<string, ReservationState>(rows.map(({ id, ...row }) => [id, row]));
    const settled: Moved[] = [];
    const outcomes = requests.map((request): SettleOutcome => {
      const row = state.get(request.reservationId);
      if (!row || row.organizationId !== request.organizationId) return { kind: "missing" };
      const fits =
        request.kind === "release" || (request.amount.amount <= row.amount && request.amount.currency === row.currency);
      if (row.status !== "held" || !fits) return { kind: "already", ...row };
      const spent = request.kind === "commit" ? request.amount.amount : 0;
      row.status = request.kind === "commit" ? "committed" : "released";
      row.committedAmount = request.kind === "commit" ? spent : null;
      settled.push({ reservationId: request.reservationId, organizationId: row.organizationId, held: row.amount, spent, kind: request.kind });
      return { kind: "settled" };
    });
    if (settled.length > 0) {
      await tx.execute(sql`
        update ${reservations} as r
        set status = u.status::reservation_status, committed_amount = u.committed, settled_at = now()
        from unnest(
          ${arrayLiteral(settled.map((m) => m.reservationId))}::uuid[],
          ${arrayLiteral(settled.map((m) => (m.kind === "commit" ? "committed" : "released")))}::text[],
          ${arrayLiteral(settled.map((m) => (m.kind === "commit" ? m.spent : null)))}::bigint[]) as u(id, status, committed)
        where r.id = u.id`);
      await moveOutOfHeld(tx as unknown as Db, settled);
    }
    return outcomes;
  });
}

/** One reservation leaving held: `spent` of its `held` goes to committed, the rest back to free. */
interface Moved {
  reservationId: string;
  organizationId: string;
  held: number;
  spent: number;
  kind: "commit" | "release" | "expire";
}

/** Takes settled reservations' money out of held (into committed for what was spent) and logs it. */
async function moveOutOfHeld(tx: Db, settled: Moved[]): Promise<void> {
  const links = rowsOf<{ reservation_id: string; envelope_id: string }>(
    await tx.execute(sql`
      select reservation_id, envelope_id from ${reservationEnvelopes}
      where reservation_id = any(${arrayLiteral(settled.map((s) => s.reservationId))}::uuid[])`),
  );
  const bySettled = new Map(settled.map((s) => [s.reservationId, s]));
  const heldOut = new Map<string, number>();
  const spentIn = new Map<string, number>();
  const ledger: { organizationId: string; envelopeId: string; reservationId: string; kind: string; amount: number }[] = [];
  for (const link of links) {
    const s = bySettled.get(link.reservation_id)!;
    sum(heldOut, link.envelope_id, s.held);
    sum(spentIn, link.envelope_id, s.spent);
    const entry = { organizationId: s.organizationId, envelopeId: link.envelope_id, reservationId: s.reservationId };
    if (s.kind === "commit") ledger.push({ ...entry, kind: "commit", amount: s.spent });
    if (s.held - s.spent > 0) ledger.push({ ...entry, kind: s.kind === "expire" ? "expire" : "release", amount: s.held - s.spent });
  }
  for (const [envelopeId, held] of sortedEntries(heldOut)) {
    const spent = spentIn.get(envelopeId) ?? 0;
    // INVARIANT: held + committed <= limit — committing moves at most what was held.
    await tx
      .update(envelopes)
      .set({
        heldAmount: sql`${envelopes.heldAmount} - ${held}`,
        committedAmount: sql`${envelopes.committedAmount} + ${spent}`,
        updatedAt: new Date(),
      })
      .where(eq(envelopes.id, envelopeId));
  }
  if (ledger.length > 0) {
    await tx.execute(sql`
      insert into ${envelopeLedger} (organization_id, envelope_id, reservation_id, kind, amount)
      select * from unnest(
        ${arrayLiteral(ledger.map((l) => l.organizationId))}::uuid[],
        ${arrayLiteral(ledger.map((l) => l.envelopeId))}::uuid[],
        ${arrayLiteral(ledger.map((l) => l.reservationId))}::uuid[],
        ${arrayLiteral(ledger.map((l) => l.kind))}::ledger_entry_kind[],
        ${arrayLiteral(ledger.map((l) => l.amount))}::bigint[])`);
  }
}

export interface SweepOptions {
  /** The sweep's "now": holds and leases that expired before it are settled. Default: the clock. */
  asOf?: Date;
  /** Only this organization's holds and leases. Default: all. */
  organizationId?: string;
  batchSize?: number;
}

/**
 * Expires held reservations whose `expiresAt` is before `asOf` and returns their money, and
 * reclaims leases their workers stopped renewing. Safe to run from every worker at once.
 */
export async function sweepBudgets(db: Db, { asOf = new Date(), organizationId, batchSize = 500 }: SweepOptions = {}): Promise<SweepResult> {
  let expired = 0;
  for (;;) {
    const count = await db.transaction(async (tx) => {
      const due = tx
        .select({ id: reservations.id })
        .from(reservations)
        .where(
          and(
            eq(reservations.status, "held"),
            lt(reservations.expiresAt, asOf),
            organizationId ? eq(reservations.organizationId, organizationId) : undefined,
          ),
        )
        .orderBy(asc(reservations.id))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      const rows = await tx
        .update(reservations)
        .set({ status: "expired", settledAt: new Date() })
        .where(and(inArray(reservations.id, due), eq(reservations.status, "held")))
        .returning({ reservationId: reservations.id, held: reservations.amount, organizationId: reservations.organizationId });
      if (rows.length > 0) {
        await moveOutOfHeld(
          tx as unknown as Db,
          rows.map((r) => ({ ...r, spent: 0, kind: "expire" as const })),
        );
      }
      return rows.length;
    });
    expired += count;
    if (count < batchSize) break;
  }
  const leasesReclaimed = await reclaimLeases(db, { expiredBefore: asOf, organizationId });
  return { expired, leasesReclaimed };
}

/** A reservation as stored, for answering a retried hold that the envelopes can no longer fit. */
export async function findReservation(db: Db, reservationId: string) {
  const [row] = await db
    .select({
      organizationId: reservations.organizationId,
      status: reservations.status,
      amount: reservations.amount,
      currency: reservations.currency,
    })
    .from(reservations)
    .where(eq(reservations.id, reservationId));
  return row ?? null;
}
