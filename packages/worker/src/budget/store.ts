// The budget's PostgreSQL side: every statement that moves money between an envelope's
// free, leased, held and committed amounts. Each function is one transaction.
//
// Lock order, everywhere: reservation rows, then envelope rows by id, then lease rows by id.
// Keeping one order makes concurrent workers queue behind each other instead of deadlocking.
import { budgetLeases, envelopeLedger, envelopes, reservationEnvelopes, reservations, resultRows, type Db } from "@tollgate/db";
import { and, asc, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
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
/** `= ANY` of a uuid array: one parameter however many ids (a worker returns thousands of leases at once). */
const anyUuid = (ids: string[]) => sql`any(${arrayLiteral(ids)}::uuid[])`;

const sum = (into: Map<string, number>, key: string, amount: number) => into.set(key, (into.get(key) ?? 0) + amount);
const sortedEntries = (map: Map<string, number>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The worker a batch of draws leases to, and until when (it renews its leases after). */
export interface Lessee {
  workerId: string;
  leaseExpiresAt: Date;
}

export interface DrawLeaseInput {
  organizationId: string;
  envelope: EnvelopeToHold;
  /** What the waiting holds lack in total, beyond the worker's balance (0 for a background refill). */
  wanted: number;
  /** The smallest single lack among them: a grant below it helps no one and would strand money. */
  smallestWant: number;
  /** The largest request waiting: slices are whole multiples of it, so uniform requests strand nothing. */
  unit: number;
  /** A slice is at most 1/spread of what is free (but at least one request), so slices shrink near the limit. */
  spread: number;
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

/** A PostgreSQL array literal of arbitrary text, every element quoted (envelope keys come from policy ids). */
const textArrayLiteral = (values: string[]) => `{${values.map((v) => `"${v.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;

type LockedEnvelope = {
  id: string;
  organization_id: string;
  envelope_key: string;
  period_start: string | Date;
  limit_amount: string | number;
  held_amount: string | number;
  committed_amount: string | number;
  leased_amount: string | number;
  currency: string;
};

const windowKey = (organizationId: string, key: string, periodStart: Date) => `${organizationId}\u0000${key}\u0000${periodStart.getTime()}`;

/**
 * Draws a slice of each input's envelope into this worker's lease, all in one transaction and a
 * fixed number of statements however many envelopes the batch touches: a worker warming up on
 * thousands of agents pays one round of statements per batch, not one transaction per agent.
 * Creates the envelope for a new period window on first use. At most one input per envelope window.
 */
export async function drawLeases(db: Db, lessee: Lessee, inputs: DrawLeaseInput[]): Promise<DrawLeaseResult[]> {
  if (inputs.length === 0) return [];
  return db.transaction(async (tx) => {
    const envelopesOf = inputs.map((input) => input.envelope);
    const organizationIds = arrayLiteral(inputs.map((input) => input.organizationId));
    const keys = textArrayLiteral(envelopesOf.map((envelope) => envelope.key));
    const starts = arrayLiteral(envelopesOf.map((envelope) => envelope.periodStart.toISOString()));
    // Sent together (postgres.js pipelines them): the select runs after the insert on the same
    // connection, so it sees and locks the envelopes the insert just created.
    const creating = tx.execute(sql`
      insert into ${envelopes} (organization_id, envelope_key, agent_id, period, period_start, limit_amount, currency)
      select * from unnest(
        ${organizationIds}::uuid[],
        ${keys}::text[],
        ${arrayLiteral(envelopesOf.map((envelope) => envelope.agentId ?? null))}::uuid[],
        ${arrayLiteral(envelopesOf.map((envelope) => envelope.period))}::envelope_period[],
        ${starts}::timestamptz[],
        ${arrayLiteral(envelopesOf.map((envelope) => envelope.limit.amount))}::bigint[],
        ${arrayLiteral(envelopesOf.map((envelope) => envelope.limit.currency))}::text[])
        as w(organization_id, envelope_key, agent_id, period, period_start, limit_amount, currency)
      -- In the unique key's order, so that concurrent draws creating the same windows never deadlock.
      order by organization_id, envelope_key, period_start
      on conflict do nothing`);
    const locking = tx.execute(sql`
        select e.id, e.organization_id, e.envelope_key, e.period_start, e.limit_amount, e.held_amount,
               e.committed_amount, e.leased_amount, e.currency
        from ${envelopes} e
        join unnest(${organizationIds}::uuid[], ${keys}::text[], ${starts}::timestamptz[]) as w(organization_id, envelope_key, period_start)
          on e.organization_id = w.organization_id and e.envelope_key = w.envelope_key and e.period_start = w.period_start
        order by e.id
        for update of e`);
    const [, lockedRows] = await Promise.all([creating, locking]);
    const locked = resultRows<LockedEnvelope>(lockedRows);
    const byWindow = new Map(locked.map((row) => [windowKey(row.organization_id, row.envelope_key, new Date(row.period_start)), row]));

    const moves: { id: string; limit: number; granted: number }[] = [];
    const grants: { organizationId: string; envelopeId: string; amount: number }[] = [];
    const results = inputs.map((input): DrawLeaseResult => {
      const row = byWindow.get(windowKey(input.organizationId, input.envelope.key, input.envelope.periodStart));
      if (!row) throw new BudgetWriteRefused(`envelope ${input.envelope.key} could not be created`);
      if (row.currency !== input.envelope.limit.currency) return { kind: "currency_mismatch", envelopeCurrency: row.currency };
      const used = Number(row.held_amount) + Number(row.committed_amount) + Number(row.leased_amount);
      // The compiled policy owns the limit; lowering it below what is already used stops new holds.
      const limit = Math.max(input.envelope.limit.amount, used);
      const free = limit - used;
      const granted = sliceToGrant(free, input);
      if (granted > 0 || limit !== Number(row.limit_amount)) moves.push({ id: row.id, limit, granted });
      if (granted === 0) return { kind: "granted", envelopeId: row.id, leaseId: null, granted: 0, free };
      grants.push({ organizationId: input.organizationId, envelopeId: row.id, amount: granted });
      return { kind: "granted", envelopeId: row.id, leaseId: null, granted, free: free - granted };
    });
    // The envelope moves and the lease rows are independent of each other: sent together too.
    const moving =
      moves.length === 0
        ? Promise.resolve()
        : // INVARIANT: held + committed + leased <= limit, so held + committed <= limit.
          tx.execute(sql`
            update ${envelopes} as e
            set limit_amount = u.limit_amount, leased_amount = e.leased_amount + u.granted, updated_at = now()
            from unnest(
              ${arrayLiteral(moves.map((m) => m.id))}::uuid[],
              ${arrayLiteral(moves.map((m) => m.limit))}::bigint[],
              ${arrayLiteral(moves.map((m) => m.granted))}::bigint[]) as u(id, limit_amount, granted)
            where e.id = u.id`);
    const leasing =
      grants.length === 0
        ? Promise.resolve([])
        : tx.execute(sql`
            insert into ${budgetLeases} (organization_id, envelope_id, worker_id, amount, expires_at)
            select organization_id, envelope_id, ${lessee.workerId}::text, amount, ${lessee.leaseExpiresAt.toISOString()}::timestamptz
            from unnest(
              ${arrayLiteral(grants.map((g) => g.organizationId))}::uuid[],
              ${arrayLiteral(grants.map((g) => g.envelopeId))}::uuid[],
              ${arrayLiteral(grants.map((g) => g.amount))}::bigint[]) as g(organization_id, envelope_id, amount)
            order by envelope_id
            on conflict (envelope_id, worker_id) do update
              set amount = ${budgetLeases}.amount + excluded.amount, expires_at = excluded.expires_at
            returning id, envelope_id`);
    const [, leased] = await Promise.all([moving, leasing]);
    const leaseOf = new Map(resultRows<{ id: string; envelope_id: string }>(leased).map((row) => [row.envelope_id, row.id]));
    for (const result of results) {
      if (result.kind === "granted" && result.granted > 0) result.leaseId = leaseOf.get(result.envelopeId)!;
    }
    return results;
  });
}

/** Lease money going back to its envelopes (see moveSetBased): no longer leased, free again. */
const RETURN_LEASED = sql`leased_amount = t.leased_amount - u.amount, updated_at = now()`;

/**
 * Applies `amounts` (row id → amount) to `table` in one statement, however many rows: the rows are
 * locked in id order (the lock order every batch keeps: a sorted FOR UPDATE locks as the sort
 * yields) and updated from one unnest where `guard` holds. Resolves to the first id it could not
 * update (gone, or guard false), or null when every row moved.
 */
async function moveSetBased(
  tx: Db,
  table: typeof envelopes | typeof budgetLeases,
  amounts: Map<string, number>,
  change: { set: SQL; guard: SQL },
): Promise<string | null> {
  if (amounts.size === 0) return null;
  const entries = sortedEntries(amounts);
  const ids = arrayLiteral(entries.map(([id]) => id));
  const moved = resultRows<{ id: string }>(
    await tx.execute(sql`
      update ${table} as t set ${change.set}
      from (select id from ${table} where id = any(${ids}::uuid[]) order by id for update) as locked,
           unnest(${ids}::uuid[], ${arrayLiteral(entries.map(([, amount]) => amount))}::bigint[]) as u(id, amount)
      where t.id = locked.id and t.id = u.id and ${change.guard}
      returning t.id`),
  );
  if (moved.length === entries.length) return null;
  const done = new Set(moved.map((row) => row.id));
  return entries.find(([id]) => !done.has(id))![0];
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

/** Some reservation ids of a batch already existed: the transaction rolled back, to be retried without them. */
class ReservationsExisted extends Error {
  constructor(readonly ids: string[]) {
    super(`reservations ${ids.join(", ")} already exist`);
  }
}

/**
 * Makes a batch of holds durable in one transaction (the group commit): their money moves from
 * the leases that paid for them to the envelopes' held amounts. If any lease no longer has the
 * money (a sweep reclaimed it), the whole batch is refused and nothing moves.
 *
 * The statements are sent together (postgres.js pipelines them), so a batch costs one round trip
 * plus begin and commit, not one per statement. That assumes every reservation id is new, which
 * it is unless a caller retries one; if some already existed, the transaction rolls back and runs
 * again without them.
 */
export async function writeHolds<T>(
  db: Db,
  holds: HoldToWrite[],
  /** More to write in the same transaction, given the reservations this batch created. */
  alsoWrite?: (tx: Db, written: Set<string>) => Promise<T>,
): Promise<WriteHoldsResult & { also?: T }> {
  const known = new Set<string>();
  for (;;) {
    try {
      return await writeHoldsOnce(db, holds, known, alsoWrite);
    } catch (error) {
      if (!(error instanceof ReservationsExisted)) throw error;
      for (const id of error.ids) known.add(id);
    }
  }
}

async function writeHoldsOnce<T>(
  db: Db,
  holds: HoldToWrite[],
  known: Set<string>,
  alsoWrite?: (tx: Db, written: Set<string>) => Promise<T>,
): Promise<WriteHoldsResult & { also?: T }> {
  // A batch may carry the same new id twice (a retry racing itself): charge it once.
  const fresh = new Map<string, HoldToWrite>();
  for (const h of holds) if (!known.has(h.reservationId) && !fresh.has(h.reservationId)) fresh.set(h.reservationId, h);
  const written = new Set(fresh.keys());
  const toWrite = [...fresh.values()];

  const byEnvelope = new Map<string, number>();
  const byLease = new Map<string, number>();
  const links: { reservationId: string; envelopeId: string; organizationId: string; amount: number }[] = [];
  for (const h of toWrite) {
    for (const d of h.draws) {
      sum(byEnvelope, d.envelopeId, h.amount.amount);
      sum(byLease, d.leaseId, h.amount.amount);
      links.push({ reservationId: h.reservationId, envelopeId: d.envelopeId, organizationId: h.organizationId, amount: h.amount.amount });
    }
  }

  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    // Arrays through unnest: one short statement for the whole batch, however large, instead of
    // a VALUES list with a parameter per cell (several times slower to parse and bind).
    const inserting =
      toWrite.length === 0
        ? Promise.resolve([])
        : tx.execute(sql`
            insert into ${reservations} (id, organization_id, agent_id, decision_id, amount, currency, expires_at)
            select * from unnest(
              ${arrayLiteral(toWrite.map((h) => h.reservationId))}::uuid[],
              ${arrayLiteral(toWrite.map((h) => h.organizationId))}::uuid[],
              ${arrayLiteral(toWrite.map((h) => h.agentId))}::uuid[],
              ${arrayLiteral(toWrite.map((h) => h.decisionId ?? null))}::uuid[],
              ${arrayLiteral(toWrite.map((h) => h.amount.amount))}::bigint[],
              ${arrayLiteral(toWrite.map((h) => h.amount.currency))}::text[],
              ${arrayLiteral(toWrite.map((h) => h.expiresAt.toISOString()))}::timestamptz[])
            on conflict (id) do nothing
            returning id`);
    const reading =
      known.size === 0
        ? Promise.resolve([])
        : tx
            .select({
              id: reservations.id,
              organizationId: reservations.organizationId,
              status: reservations.status,
              amount: reservations.amount,
              currency: reservations.currency,
            })
            .from(reservations)
            .where(inArray(reservations.id, [...known]));
    const moving = moveSetBased(tx, envelopes, byEnvelope, {
      set: sql`held_amount = t.held_amount + u.amount, leased_amount = t.leased_amount - u.amount, updated_at = now()`,
      guard: sql`t.leased_amount >= u.amount`,
    });
    const spending = moveSetBased(tx, budgetLeases, byLease, {
      set: sql`amount = t.amount - u.amount`,
      guard: sql`t.amount >= u.amount`,
    });
    const linking =
      links.length === 0
        ? Promise.resolve()
        : tx.execute(sql`
            with pairs as (
              select * from unnest(
                ${arrayLiteral(links.map((l) => l.reservationId))}::uuid[],
                ${arrayLiteral(links.map((l) => l.envelopeId))}::uuid[],
                ${arrayLiteral(links.map((l) => l.organizationId))}::uuid[],
                ${arrayLiteral(links.map((l) => l.amount))}::bigint[]) as p(reservation_id, envelope_id, organization_id, amount)
            ), linked as (
              -- A reservation id that already existed has its links: the batch rolls back and runs again without it.
              insert into ${reservationEnvelopes} (reservation_id, envelope_id) select reservation_id, envelope_id from pairs
              on conflict do nothing
            )
            insert into ${envelopeLedger} (organization_id, envelope_id, reservation_id, kind, amount)
            select organization_id, envelope_id, reservation_id, 'hold', amount from pairs`);
    const also = alsoWrite?.(tx, written);
    const [inserted, existingRows, unmoved, unspent] = await Promise.all([inserting, reading, moving, spending, linking, also]);

    const insertedIds = new Set(resultRows<{ id: string }>(inserted).map((r) => r.id));
    const existed = toWrite.filter((h) => !insertedIds.has(h.reservationId)).map((h) => h.reservationId);
    if (existed.length > 0) throw new ReservationsExisted(existed);
    if (unmoved) throw new BudgetWriteRefused(`envelope ${unmoved} has less leased than this batch holds on it`);
    if (unspent) throw new BudgetWriteRefused(`lease ${unspent} was reclaimed or holds less than this batch spends from it`, unspent);
    const existing: WriteHoldsResult["existing"] = new Map(existingRows.map(({ id, ...rest }) => [id, rest]));
    return { written, existing, also: await also };
  });
}

/** Money a worker stopped needing, going back from its lease to the envelope. */
export interface LeaseReturn {
  envelopeId: string;
  leaseId: string;
  amount: number;
}

/** Gives unneeded lease money back to the envelopes, in one transaction for the whole batch. */
export async function returnToEnvelopes(db: Db, returns: LeaseReturn[]): Promise<void> {
  const byEnvelope = new Map<string, number>();
  const byLease = new Map<string, number>();
  for (const r of returns) {
    sum(byEnvelope, r.envelopeId, r.amount);
    sum(byLease, r.leaseId, r.amount);
  }
  await db.transaction(async (tx) => {
    const unmoved = await moveSetBased(tx as unknown as Db, envelopes, byEnvelope, { set: RETURN_LEASED, guard: sql`t.leased_amount >= u.amount` });
    if (unmoved) {
      throw new BudgetWriteRefused(`envelope ${unmoved} has less leased than is returned to it`, returns.find((r) => r.envelopeId === unmoved)!.leaseId);
    }
    const unshrunk = await moveSetBased(tx as unknown as Db, budgetLeases, byLease, {
      set: sql`amount = t.amount - u.amount`,
      guard: sql`t.amount >= u.amount`,
    });
    if (unshrunk) throw new BudgetWriteRefused(`lease ${unshrunk} holds less than is returned from it`, unshrunk);
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
        ? sql`${budgetLeases.id} = ${anyUuid(which.ids)}`
        : and(
            lt(budgetLeases.expiresAt, which.expiredBefore),
            which.organizationId ? eq(budgetLeases.organizationId, which.organizationId) : undefined,
          )!;
  return db.transaction(async (tx) => {
    const candidates = await tx.select({ envelopeId: budgetLeases.envelopeId }).from(budgetLeases).where(criteria);
    if (candidates.length === 0) return 0;
    const envelopeIds = [...new Set(candidates.map((c) => c.envelopeId))].sort();
    await tx.select({ id: envelopes.id }).from(envelopes).where(sql`${envelopes.id} = ${anyUuid(envelopeIds)}`).orderBy(asc(envelopes.id)).for("update");
    // Re-checked under the locks: a lease renewed meanwhile is no longer expired.
    const doomed = await tx
      .select({ id: budgetLeases.id })
      .from(budgetLeases)
      .where(and(criteria, sql`${budgetLeases.envelopeId} = ${anyUuid(envelopeIds)}`))
      .orderBy(asc(budgetLeases.id))
      .for("update");
    if (doomed.length === 0) return 0;
    const deleted = await tx
      .delete(budgetLeases)
      .where(sql`${budgetLeases.id} = ${anyUuid(doomed.map((d) => d.id))}`)
      .returning({ envelopeId: budgetLeases.envelopeId, amount: budgetLeases.amount });
    const byEnvelope = deleted.reduce((totals, d) => sum(totals, d.envelopeId, d.amount), new Map<string, number>());
    // The envelopes are locked above, and what the deleted leases held is leased from them.
    await moveSetBased(tx as unknown as Db, envelopes, byEnvelope, { set: RETURN_LEASED, guard: sql`true` });
    return deleted.length;
  });
}

/** Returns every lease a worker holds: at its shutdown, or at its restart after a crash. */
export const reclaimWorkerLeases = (db: Db, workerId: string) => reclaimLeases(db, { workerId });
export const reclaimLeasesById = (db: Db, ids: string[]) => reclaimLeases(db, { ids });

/** Pushes back the expiry of a worker's live leases so the sweep leaves them alone; resolves with what is free in each of their envelopes. */
export async function renewLeases(db: Db, ids: string[], expiresAt: Date): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  // Locks in id order, like every batch does, so a renewal never deadlocks with a batch.
  const rows = resultRows<{ id: string; free: string | number }>(
    await db.execute(sql`
      with locked as (
        select id from ${budgetLeases} where id = ${anyUuid(ids)} order by id for update
      ), renewed as (
        update ${budgetLeases} as l set expires_at = ${expiresAt.toISOString()}::timestamptz from locked where l.id = locked.id returning l.envelope_id
      )
      select e.id, e.limit_amount - e.held_amount - e.committed_amount - e.leased_amount as free
      from ${envelopes} as e where e.id in (select envelope_id from renewed)`),
  );
  return new Map(rows.map((row) => [row.id, Number(row.free)]));
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
      .where(sql`${reservations.id} = ${anyUuid(ids)}`)
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
  const links = resultRows<{ reservation_id: string; envelope_id: string }>(
    await tx.execute(sql`
      select reservation_id, envelope_id from ${reservationEnvelopes}
      where reservation_id = ${anyUuid(settled.map((s) => s.reservationId))}`),
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
  if (heldOut.size > 0) {
    const entries = sortedEntries(heldOut);
    const ids = arrayLiteral(entries.map(([id]) => id));
    // INVARIANT: held + committed <= limit — committing moves at most what was held.
    await tx.execute(sql`
      update ${envelopes} as t
      set held_amount = t.held_amount - u.held, committed_amount = t.committed_amount + u.spent, updated_at = now()
      from (select id from ${envelopes} where id = any(${ids}::uuid[]) order by id for update) as locked,
           unnest(${ids}::uuid[], ${arrayLiteral(entries.map(([, held]) => held))}::bigint[],
                  ${arrayLiteral(entries.map(([id]) => spentIn.get(id) ?? 0))}::bigint[]) as u(id, held, spent)
      where t.id = locked.id and t.id = u.id`);
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
