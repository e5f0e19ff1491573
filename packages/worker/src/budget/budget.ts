import type { Db } from "@tollgate/db";
import {
  BudgetWriteRefused,
  drawLeases,
  type DrawLeaseInput,
  type DrawLeaseResult,
  findReservation,
  reclaimLeasesById,
  reclaimWorkerLeases,
  renewLeases,
  returnToEnvelopes,
  settleReservations,
  type SettleOutcome,
  type Settlement,
  sweepBudgets,
  writeHolds,
  type HoldToWrite,
  type SweepOptions,
} from "./store";
import { join } from "node:path";
import { lookUntilShipped, openJournal, type Journal, type JournalOptions } from "../journal/journal";
import { groupCommit, writeOrSplit } from "./group-commit";
import {
  idProblem,
  moneyProblem,
  refuse,
  type CommitRequest,
  type CommitResult,
  type EnvelopeToHold,
  type HoldRequest,
  type HoldResult,
  type ReleaseRequest,
  type ReleaseResult,
  type SweepResult,
} from "./types";

/**
 * Rows written in the same transaction as the holds they ride with, so a caller that must make
 * both durable (the decision log) pays one transaction and one commit, not two in a row.
 */
export interface HoldRider<R, O, M = R> {
  /** The rider as written, made when its hold is about to become durable (the journal stores this). */
  materialize(item: R): M;
  /** Writes the riders of holds this batch created; one outcome per item, in order. */
  write(tx: Db, items: M[]): Promise<O[]>;
  /** A journaled hold's rider, once on disk: the outcome its caller is answered with. */
  journaled: O;
  /** Whether a journaled hold keeps its money once its rider shipped with `outcome`; if not, it is released. */
  keepsHold(outcome: O): boolean;
  /** A rider read back from the journal's JSON. */
  revive(value: unknown): M;
}

/** The budget's own journal of holds: see ARCHITECTURE.md, "Journaled holds". */
export interface HoldJournalOptions {
  /** This worker's journal directory (kept across restarts of the same worker id). */
  dir: string;
  /**
   * How long after a lease's last renewal it may still be reclaimed by nobody: a hold lives in
   * the journal only if it expires before its leases can be reclaimed, so a worker that dies
   * with holds unshipped never has their money handed to someone else while they can still be
   * committed. At least the longest hold TTL journaled; longer holds are written to PostgreSQL
   * before they are answered. Default 5 min.
   */
  horizonMs?: number;
  /** Told about a journaled hold that could not be shipped as held (its rider shipped alone). */
  onLost?: (reservationId: string, reason: string) => void;
  /** Told how long each of the journal's durable writes took (see JournalOptions). */
  onWrite?: JournalOptions<unknown>["onWrite"];
}

export interface BudgetOptions<R = never, O = unknown, M = unknown> {
  db: Db;
  /** Unique among running processes and stable across a restart: a restart reclaims its old leases. */
  workerId: string;
  /** A worker that stops renewing its leases for this long loses them to the sweep. Default 30 s. */
  leaseTtlMs?: number;
  /** Unused lease money goes back to its envelope after this long without a hold. Default 1 s. */
  idleReturnMs?: number;
  /**
   * ...unless the envelope had plenty free when last drawn from or renewed (room for 1,000 more
   * requests like the largest one seen): nobody is short of it, so it stays this long, and the
   * agent's next call needs no draw. Default 5 min.
   */
  plentyIdleReturnMs?: number;
  /** A lease slice is at most 1/spread of what is free (but at least one request). Default 8. */
  spread?: number;
  /** Holds (or commits and releases) written per group commit. Default 1,000. */
  maxBatch?: number;
  /** How often this worker runs the expiry sweep; 0 turns it off. Default 1 s. */
  sweepIntervalMs?: number;
  rider?: HoldRider<R, O, M>;
  /** Makes holds durable in a local journal instead of a PostgreSQL transaction per batch. */
  journal?: HoldJournalOptions;
}

/** The budget a decision worker holds, commits and releases against. */
export interface Budget<R = never, O = unknown> {
  /**
   * Holds `amount` on every envelope, all or nothing; resolves once the hold is durable, and with
   * it `rider` (written by the rider writer, whose outcome the answer carries).
   */
  hold(request: HoldRequest, rider?: R): Promise<HoldResult<O>>;
  /** Commits what was actually spent (≤ held); the rest goes back to the envelopes. Idempotent. */
  commit(request: CommitRequest): Promise<CommitResult>;
  /** Releases a hold; releasing twice, or after expiry, is harmless. */
  release(request: ReleaseRequest): Promise<ReleaseResult>;
  /**
   * Draws leases on `envelopes` ahead of their first hold (a worker does so for every agent's
   * standing envelopes when it loads a snapshot), so that call is answered from memory.
   * Envelopes already leased are skipped. Resolves once the draws are done; never throws.
   */
  prefetch(organizationId: string, envelopes: readonly EnvelopeToHold[]): Promise<void>;
  /** Journaled holds not yet in PostgreSQL (0 without a journal). */
  journalLag(): number;
  /** Expires unclaimed holds and reclaims abandoned leases now (it also runs on a timer). */
  sweep(options?: SweepOptions): Promise<SweepResult>;
  /** Writes pending holds, returns every lease and stops the timers. */
  close(): Promise<void>;
}

interface RefillRound {
  wanted: number;
  smallestWant: number;
  unit: number;
  done: Promise<void>;
  /** What was still free in the envelope after this round's grant. */
  freeAfter: number;
  granted: number;
  failed?: string;
  currencyMismatch?: string;
}

/** This worker's slice of one envelope window. */
interface Lease {
  envelope: EnvelopeToHold;
  organizationId: string;
  envelopeId: string | null;
  leaseId: string | null;
  /** Money this worker may still turn into holds without asking PostgreSQL. */
  balance: number;
  lastGrant: number;
  /** Whether the envelope had plenty of free money left at this lease's last draw or renewal. */
  plenty: boolean;
  /** The largest request the lease was last drawn for: "plenty" is room for PLENTY_REQUESTS of them. */
  unit: number;
  /** When PostgreSQL may reclaim the lease (epoch ms) as of its last confirmed draw or renewal. */
  reclaimableAt: number;
  lastUsedAt: number;
  next: RefillRound | null;
  running: Promise<void>;
  refilling: boolean;
}

interface QueuedSettlement {
  request: Settlement;
  settle: (outcome: SettleOutcome | { kind: "failed"; message: string }) => void;
}

interface QueuedDraw {
  input: DrawLeaseInput;
  /** With the lease's expiry as written, when the draw succeeded. */
  settle: (result: DrawLeaseResult | { kind: "failed"; message: string }, reclaimableAt?: number) => void;
}

interface QueuedHold<O, M> {
  hold: HoldToWrite;
  /** The in-memory leases that paid, one per draw; none for a hold replayed from the journal. */
  leases?: Lease[];
  /** Makes the rider as written. */
  ride?: () => M;
  settle: (result: HoldResult<O>) => void;
}

/** A journaled hold: what is on disk, and (not on disk) the leases that paid for it in this run. */
interface JournaledHold<M> {
  hold: HoldToWrite;
  rider?: M;
  leases?: Lease[];
}

/**
 * An envelope with room for this many more requests is not short of money: an idle lease on it
 * may wait longer before going back, so a worker serving thousands of agents does not draw and
 * return each one's lease every second.
 */
const PLENTY_REQUESTS = 1_000;

/** A dry request waits for at most this many refills (each one transaction) before it is refused. */
const MAX_ATTEMPTS = 64;

/** PostgreSQL refused a statement with an integrity constraint (SQLSTATE class 23), so nothing was written. */
export function isIntegrityViolation(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof BudgetWriteRefused) return false;
    if (typeof e.code === "string" && e.code.startsWith("23")) return true;
  }
  return false;
}

/** Opens the budget for one worker process: reclaims what a crashed earlier run of it leased. */
export async function openBudget<R = never, O = unknown, M = unknown>(options: BudgetOptions<R, O, M>): Promise<Budget<R, O>> {
  const { db, workerId } = options;
  const leaseTtlMs = options.leaseTtlMs ?? 30_000;
  const idleReturnMs = options.idleReturnMs ?? 1_000;
  const plentyIdleReturnMs = options.plentyIdleReturnMs ?? 5 * 60_000;
  const spread = options.spread ?? 8;
  const maxBatch = options.maxBatch ?? 1_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
  const horizonMs = options.journal ? (options.journal.horizonMs ?? 5 * 60_000) : 0;
  /** The expiry a draw or renewal writes: a journaling worker's leases outlive its journaled holds. */
  const leaseExpiry = () => new Date(Date.now() + leaseTtlMs + horizonMs);

  const leases = new Map<string, Lease>();
  // An envelope's period as a map key: window starts in ms, since an ISO string cost ~0.4 µs, twice per envelope per hold.
  const periodKey = (envelope: EnvelopeToHold) => `${envelope.key}\u0000${envelope.periodStart.getTime()}`;
  const inFlight = new Map<string, Promise<HoldResult<O>>>();
  let closed = false;

  const leaseFor = (organizationId: string, envelope: EnvelopeToHold): Lease => {
    const key = `${organizationId}\u0000${periodKey(envelope)}`;
    let lease = leases.get(key);
    if (!lease) {
      lease = {
        envelope,
        organizationId,
        envelopeId: null,
        leaseId: null,
        balance: 0,
        lastGrant: 0,
        plenty: false,
        unit: 0,
        reclaimableAt: 0,
        lastUsedAt: Date.now(),
        next: null,
        running: Promise.resolve(),
        refilling: false,
      };
      leases.set(key, lease);
    }
    lease.envelope = envelope;
    return lease;
  };

  /** Forgets a lease whose database row may no longer match memory; the row goes back to its envelope. */
  const abandon = (lease: Lease) => {
    const leaseId = lease.leaseId;
    lease.balance = 0;
    lease.leaseId = null;
    // With a journal the row may still pay for holds not shipped yet: it is left to expire (no
    // longer renewed, the sweep reclaims it once every hold it paid for has expired too).
    if (leaseId && !options.journal) reclaimLeasesById(db, [leaseId]).catch(() => {
      // Not renewed any more, so the sweep reclaims it after its TTL.
    });
  };

  // Refills of many envelopes share one transaction: a worker warming up on thousands of agents
  // would otherwise pay a transaction per agent.
  const drawWrites = groupCommit<QueuedDraw>(
    (batch) =>
      writeOrSplit(
        batch,
        async (part) => {
          const lessee = { workerId, leaseExpiresAt: leaseExpiry() };
          const results = await drawLeases(
            db,
            lessee,
            part.map((q) => q.input),
          );
          part.forEach((q, i) => q.settle(results[i]!, lessee.leaseExpiresAt.getTime()));
        },
        (q, error) => q.settle({ kind: "failed", message: (error as Error).message }),
      ),
    maxBatch,
  );

  /**
   * Joins the next refill of `lease` (one runs at a time per envelope; concurrent askers share
   * it). Bounded: one transaction, after at most the one already running.
   */
  const refill = (lease: Lease, shortfall: number, unit: number): RefillRound => {
    let round = lease.next;
    if (!round) {
      const created: RefillRound = { wanted: 0, smallestWant: Infinity, unit: 0, freeAfter: 0, granted: 0, done: Promise.resolve() };
      lease.next = created;
      created.done = lease.running.then(async () => {
        lease.next = null;
        lease.refilling = true;
        try {
          let reclaimableAt = 0;
          const drawn = await new Promise<DrawLeaseResult | { kind: "failed"; message: string }>((resolve) =>
            drawWrites.push({
              input: {
                organizationId: lease.organizationId,
                envelope: lease.envelope,
                wanted: created.wanted,
                smallestWant: created.smallestWant,
                unit: created.unit,
                spread,
              },
              settle: (result, expiry) => {
                reclaimableAt = expiry ?? 0;
                resolve(result);
              },
            }),
          );
          if (drawn.kind === "failed") {
            created.failed = drawn.message;
            return;
          }
          if (drawn.kind === "currency_mismatch") {
            created.currencyMismatch = drawn.envelopeCurrency;
            return;
          }
          lease.envelopeId = drawn.envelopeId;
          if (drawn.leaseId) {
            lease.leaseId = drawn.leaseId;
            lease.reclaimableAt = reclaimableAt;
          }
          lease.balance += drawn.granted;
          if (drawn.granted > 0) {
            lease.lastGrant = drawn.granted;
            // Drawn for waiting requests: not idle, whatever the refill cost.
            lease.lastUsedAt = Date.now();
          }
          created.granted = drawn.granted;
          created.freeAfter = drawn.free;
          lease.unit = created.unit;
          lease.plenty = drawn.free >= PLENTY_REQUESTS * created.unit;
        } finally {
          lease.refilling = false;
        }
      });
      lease.running = created.done;
      round = created;
    }
    round.wanted += shortfall;
    if (shortfall > 0) round.smallestWant = Math.min(round.smallestWant, shortfall);
    round.unit = Math.max(round.unit, unit);
    return round;
  };

  /** Gives a hold's money back to the leases it came from, if they are still ours. */
  const creditBack = ({ hold, leases }: { hold: HoldToWrite; leases?: Lease[] }) =>
    hold.draws.forEach((draw, i) => {
      const lease = leases?.[i];
      if (lease && lease.leaseId === draw.leaseId) lease.balance += hold.amount.amount;
    });

  const writeHoldBatch = async (batch: QueuedHold<O, M>[]): Promise<void> => {
    // A batch may carry the same new id twice (a retry racing itself): the first one is charged.
    const charged = (written: Set<string>) => {
      const ids = new Set<string>();
      return new Set(batch.filter((q) => written.has(q.hold.reservationId) && !ids.has(q.hold.reservationId) && ids.add(q.hold.reservationId)));
    };
    const rider = options.rider;
    const { written, existing, also } = await writeHolds(
      db,
      batch.map((q) => q.hold),
      rider &&
        (async (tx, written) => {
          const riding = [...charged(written)].filter((q) => q.ride !== undefined);
          const outcomes = await rider.write(
            tx,
            riding.map((q) => q.ride!()),
          );
          return new Map(riding.map((q, i) => [q, outcomes[i]!]));
        }),
    );
    const first = charged(written);
    for (const q of batch) {
      const id = q.hold.reservationId;
      if (first.has(q)) {
        q.settle({ outcome: "held", reservationId: id, ...(also?.has(q) ? { rider: also.get(q)! } : {}) });
        continue;
      }
      creditBack(q);
      const prior = existing.get(id);
      const same =
        prior &&
        prior.organizationId === q.hold.organizationId &&
        prior.amount === q.hold.amount.amount &&
        prior.currency === q.hold.amount.currency;
      q.settle(
        same || written.has(id)
          ? { outcome: "held", reservationId: id }
          : refuse("reservation_conflict", `reservationId ${id} is already used by another hold`),
      );
    }
  };

  /**
   * Writes a batch; if a lease turned out to be gone (the sweep reclaimed it), refuses the holds
   * it paid for, forgets it, and writes the rest.
   */
  const writeHoldBatchWithoutLostLeases = async (batch: QueuedHold<O, M>[]): Promise<void> => {
    try {
      await writeHoldBatch(batch);
    } catch (error) {
      const lost = error instanceof BudgetWriteRefused ? error.leaseId : undefined;
      if (!lost) throw error;
      const rest: QueuedHold<O, M>[] = [];
      for (const q of batch) {
        if (!q.hold.draws.some((draw) => draw.leaseId === lost)) {
          rest.push(q);
          continue;
        }
        q.hold.draws.forEach((draw, i) => {
          const lease = q.leases?.[i];
          if (!lease) return;
          if (draw.leaseId === lost) abandon(lease);
          else if (lease.leaseId === draw.leaseId) lease.balance += q.hold.amount.amount;
        });
        q.settle(refuse("budget_unavailable", `the hold could not be made durable: ${(error as Error).message}`));
      }
      if (rest.length > 0) await writeHoldBatchWithoutLostLeases(rest);
    }
  };

  const holdWrites = groupCommit<QueuedHold<O, M>>(
    (batch) =>
      // One bad hold must not sink the others written with it.
      writeOrSplit(batch, writeHoldBatchWithoutLostLeases, (q, error) => {
        // A constraint refused the statement, so it certainly rolled back: the lease still has the money.
        // Anything else (a lost connection) leaves the outcome unknown: stop trusting the leases.
        if (isIntegrityViolation(error)) creditBack(q);
        else q.leases?.forEach(abandon);
        q.settle(refuse("budget_unavailable", `the hold could not be made durable: ${(error as Error).message}`));
      }),
    maxBatch,
  );

  const settleWrites = groupCommit<QueuedSettlement>(
    (batch) =>
      writeOrSplit(
        batch,
        async (part) => {
          const outcomes = await settleReservations(
            db,
            part.map((q) => q.request),
          );
          part.forEach((q, i) => q.settle(outcomes[i]!));
        },
        (q, error) => q.settle({ kind: "failed", message: (error as Error).message }),
      ),
    maxBatch,
  );

  /** A retried hold that no longer fits may already be durable (made by this or another worker). */
  const heldBefore = async (request: HoldRequest, refusal: HoldResult<O>): Promise<HoldResult<O>> => {
    if (refusal.outcome !== "refused" || refusal.code !== "envelope_exceeded") return refusal;
    const prior = await findReservation(db, request.reservationId);
    if (!prior) return refusal;
    const same =
      prior.organizationId === request.organizationId &&
      prior.amount === request.amount.amount &&
      prior.currency === request.amount.currency;
    return same
      ? { outcome: "held", reservationId: request.reservationId }
      : refuse("reservation_conflict", `reservationId ${request.reservationId} is already used by another hold`);
  };

  const settle = (request: Settlement) =>
    new Promise<SettleOutcome | { kind: "failed"; message: string }>((resolve) => settleWrites.push({ request, settle: resolve }));

  /** Journaled holds not yet in PostgreSQL, by reservation id: a commit or release waits for its hold. */
  const unshipped = new Map<string, { shipped: Promise<void>; resolve: () => void }>();

  /**
   * Ships journaled holds to PostgreSQL exactly as holds are written without a journal. Their
   * callers were answered already, so nothing is refused here: a hold that cannot ship as held
   * still ships its rider (and is reported), and a failure that may pass throws, so the journal
   * tries the batch again. Shipping twice is harmless: an existing reservation is not charged again.
   */
  const shipJournaled = async (records: JournaledHold<M>[]): Promise<void> => {
    const ridersAlone: M[] = [];
    const toRelease: HoldToWrite[] = [];
    const queued = records.map(
      (record): QueuedHold<O, M> => ({
        hold: record.hold,
        ...(record.leases ? { leases: record.leases } : {}),
        ...(record.rider === undefined ? {} : { ride: () => record.rider! }),
        settle: (result) => {
          if (result.outcome === "held") {
            if (result.rider !== undefined && !options.rider!.keepsHold(result.rider)) {
              toRelease.push(record.hold);
              options.journal?.onLost?.(record.hold.reservationId, "its rider was refused when it shipped (for a decision: its request id was logged first by another); the hold is released");
            }
            return;
          }
          if (record.rider !== undefined) ridersAlone.push(record.rider);
          options.journal?.onLost?.(record.hold.reservationId, result.message);
        },
      }),
    );
    await writeOrSplit(queued, writeHoldBatchWithoutLostLeases, (q, error) => {
      if (!isIntegrityViolation(error)) throw error;
      q.settle(refuse("budget_unavailable", (error as Error).message));
    });
    const rider = options.rider;
    if (rider && ridersAlone.length > 0) await db.transaction((tx) => rider.write(tx as unknown as Db, ridersAlone));
    await Promise.all(toRelease.map((hold) => settle({ organizationId: hold.organizationId, reservationId: hold.reservationId, kind: "release" })));
    for (const record of records) {
      unshipped.get(record.hold.reservationId)?.resolve();
      unshipped.delete(record.hold.reservationId);
    }
  };

  // A journal left by an earlier run of this worker ships before its leases are reclaimed: they paid for it.
  const journal: Journal<JournaledHold<M>> | null = options.journal
    ? await openJournal<JournaledHold<M>>({
        dir: join(options.journal.dir, "holds"),
        encode: ({ hold, rider }) => JSON.stringify({ hold, rider }),
        decode: (line) => {
          const { hold, rider } = JSON.parse(line) as { hold: HoldToWrite & { expiresAt: string }; rider?: unknown };
          return {
            hold: { ...hold, expiresAt: new Date(hold.expiresAt) },
            ...(rider === undefined ? {} : { rider: options.rider!.revive(rider) }),
          };
        },
        ship: shipJournaled,
        maxBatch,
        ...(options.journal.onWrite ? { onWrite: options.journal.onWrite } : {}),
      })
    : null;
  await reclaimWorkerLeases(db, workerId);

  /** Answers a hold once it is on disk; it reaches PostgreSQL shortly after. */
  const journalHold = async (record: JournaledHold<M>): Promise<HoldResult<O>> => {
    const id = record.hold.reservationId;
    let resolve!: () => void;
    const shipped = new Promise<void>((done) => (resolve = done));
    unshipped.set(id, { shipped, resolve });
    try {
      await journal!.append(record);
    } catch (error) {
      resolve();
      unshipped.delete(id);
      creditBack(record);
      return refuse("budget_unavailable", `the hold could not be journaled: ${(error as Error).message}`);
    }
    return { outcome: "held", reservationId: id, ...(record.rider === undefined ? {} : { rider: options.rider!.journaled }) };
  };

  /**
   * Commits or releases. A hold another journaling worker made a moment ago may not have reached
   * PostgreSQL yet, so a missing one is looked for again for a moment before it is called missing.
   */
  const settleSoon = (request: Settlement) =>
    journal ? lookUntilShipped(() => settle(request), (outcome) => outcome.kind === "missing", 100) : settle(request);

  /** Waits for a hold this worker journaled to reach PostgreSQL, asking the journal not to dawdle. */
  const journaledHoldShipped = (reservationId: string) => {
    const entry = unshipped.get(reservationId);
    if (!entry) return;
    journal?.hurry();
    return entry.shipped;
  };

  const holdOnce = async (request: HoldRequest, rider: R | undefined): Promise<HoldResult<O>> => {
    const { organizationId, reservationId, agentId, decisionId } = request;
    const problem =
      idProblem({ organizationId, reservationId, agentId, ...(decisionId === undefined ? {} : { decisionId }) }) ??
      moneyProblem("amount", request.amount, { allowZero: false }) ??
      (!(request.expiresAt instanceof Date) || Number.isNaN(request.expiresAt.getTime()) ? "expiresAt must be a date" : null) ??
      (Array.isArray(request.envelopes) ? null : "envelopes must be a list");
    if (problem) return refuse("invalid_request", problem);
    const amount = request.amount.amount;
    const unique = new Map<string, EnvelopeToHold>();
    for (const envelope of request.envelopes) {
      if (envelope.limit.currency !== request.amount.currency) {
        return refuse(
          "currency_mismatch",
          `amount is in ${request.amount.currency} but envelope ${envelope.key} is in ${envelope.limit.currency}; nothing is converted`,
          envelope.key,
        );
      }
      const limitProblem =
        moneyProblem(`envelope ${envelope.key} limit`, envelope.limit, { allowZero: true }) ??
        (envelope.periodStart instanceof Date && !Number.isNaN(envelope.periodStart.getTime())
          ? null
          : `envelope ${envelope.key} periodStart must be a date`) ??
        (envelope.agentId === undefined ? null : idProblem({ [`envelope ${envelope.key} agentId`]: envelope.agentId }));
      if (limitProblem) return refuse("invalid_request", limitProblem, envelope.key);
      unique.set(periodKey(envelope), envelope);
    }
    const chain = [...unique.values()].map((envelope) => leaseFor(request.organizationId, envelope));

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const dry = chain.filter((lease) => lease.balance < amount);
      if (dry.length === 0) {
        // All or nothing, synchronously: no other request runs between these deductions.
        const draws = chain.map((lease) => {
          lease.balance -= amount;
          lease.lastUsedAt = Date.now();
          return { envelopeId: lease.envelopeId!, leaseId: lease.leaseId! };
        });
        for (const lease of chain) {
          // Refill in the background before the lease runs dry.
          if (lease.balance < Math.max(amount, lease.lastGrant / 4) && !lease.next && !lease.refilling) refill(lease, 0, amount);
        }
        // Only what the hold's row needs: the journal writes this record to disk before the answer.
        const hold: HoldToWrite = { organizationId, reservationId, agentId, ...(decisionId === undefined ? {} : { decisionId }), amount: request.amount, expiresAt: request.expiresAt, draws };
        const materialize = options.rider && rider !== undefined ? () => options.rider!.materialize(rider) : undefined;
        // INVARIANT: a journaled hold expires before any lease that paid for it can be reclaimed.
        if (journal && chain.every((lease) => lease.reclaimableAt >= request.expiresAt.getTime())) {
          return journalHold({ hold, leases: chain, ...(materialize ? { rider: materialize() } : {}) });
        }
        return new Promise<HoldResult<O>>((settle) => holdWrites.push({ hold, leases: chain, ...(materialize ? { ride: materialize } : {}), settle }));
      }
      const rounds = dry.map((lease) => ({ lease, round: refill(lease, amount - lease.balance, amount) }));
      await Promise.all(rounds.map(({ round }) => round.done));
      for (const { lease, round } of rounds) {
        if (round.currencyMismatch) {
          return refuse(
            "currency_mismatch",
            `amount is in ${request.amount.currency} but envelope ${lease.envelope.key} is kept in ${round.currencyMismatch}`,
            lease.envelope.key,
          );
        }
        if (round.failed) return refuse("budget_unavailable", `envelope ${lease.envelope.key} could not be refilled: ${round.failed}`);
        // Refused only when the round could not give everyone what they lacked and even what is
        // still free would not fill this gap. (If it could, the money went elsewhere: try again.)
        if (lease.balance < amount && round.granted < round.wanted && round.freeAfter < amount - lease.balance) {
          return refuse(
            "envelope_exceeded",
            `holding ${amount} ${request.amount.currency} would exceed envelope ${lease.envelope.key} (limit ${lease.envelope.limit.amount})`,
            lease.envelope.key,
          );
        }
      }
    }
    const busiest = chain.find((lease) => lease.balance < amount) ?? chain[0]!;
    return refuse("envelope_exceeded", `envelope ${busiest.envelope.key} had no room after ${MAX_ATTEMPTS} refills`, busiest.envelope.key);
  };

  /** Returns idle leases' money to their envelopes, all in one transaction per sweep of the timer. */
  const returnIdle = async () => {
    const now = Date.now();
    const idle: Lease[] = [];
    for (const [key, lease] of leases) {
      if (lease.next || lease.refilling || now - lease.lastUsedAt < (lease.plenty ? plentyIdleReturnMs : idleReturnMs)) continue;
      if (lease.balance <= 0) {
        // Long unused (e.g. a past period's window): forget it; unrenewed, its empty row expires.
        if (now - lease.lastUsedAt > 10 * idleReturnMs) leases.delete(key);
        continue;
      }
      if (lease.leaseId && lease.envelopeId) idle.push(lease);
    }
    if (idle.length === 0) return;
    const returns = idle.map((lease) => {
      const back = { lease, envelopeId: lease.envelopeId!, leaseId: lease.leaseId!, amount: lease.balance };
      lease.balance = 0;
      return back;
    });
    const returned = writeOrSplit(
      returns,
      (part) => returnToEnvelopes(db, part),
      (back) => abandon(back.lease),
    );
    // In each refill chain: a refill asked for meanwhile waits, and then sees the money as free.
    for (const { lease } of returns) lease.running = lease.running.then(() => returned);
    await returned;
  };

  const timers = [
    setInterval(() => {
      const renewing = [...leases.values()].flatMap((lease) => (lease.leaseId ? [{ lease, id: lease.leaseId }] : []));
      const expiry = leaseExpiry();
      renewLeases(
        db,
        renewing.map(({ id }) => id),
        expiry,
      )
        .then((free) => {
          for (const { lease, id } of renewing) {
            if (lease.leaseId !== id) continue;
            lease.reclaimableAt = Math.max(lease.reclaimableAt, expiry.getTime());
            // An envelope others have drained since is no longer plenty: its idle money goes back soon.
            const envelopeFree = lease.envelopeId === null ? undefined : free.get(lease.envelopeId);
            if (envelopeFree !== undefined) lease.plenty = envelopeFree >= PLENTY_REQUESTS * lease.unit;
          }
        })
        .catch(() => {
          // Not renewed: the leases keep their last confirmed expiry, which journaled holds respect.
        });
    }, Math.max(10, Math.floor(leaseTtlMs / 3))),
    setInterval(() => void returnIdle().catch(() => {}), Math.max(10, Math.floor(idleReturnMs / 2))),
    ...(sweepIntervalMs > 0 ? [setInterval(() => void sweepBudgets(db).catch(() => {}), sweepIntervalMs)] : []),
  ];
  for (const timer of timers) timer.unref();

  return {
    async prefetch(organizationId, envelopes) {
      const rounds: Promise<void>[] = [];
      for (const envelope of envelopes) {
        if (closed || moneyProblem("limit", envelope.limit, { allowZero: true }) !== null) continue;
        const lease = leaseFor(organizationId, envelope);
        if (lease.leaseId !== null || lease.balance > 0 || lease.next || lease.refilling) continue;
        lease.lastUsedAt = Date.now();
        // No request to size the slice by: a unit of 1/(spread × PLENTY_REQUESTS) of the limit
        // draws about free/spread, and counts the envelope plenty while an eighth of it is free.
        rounds.push(refill(lease, 0, Math.max(1, Math.floor(envelope.limit.amount / (spread * PLENTY_REQUESTS)))).done);
      }
      await Promise.all(rounds);
    },

    hold(request, rider) {
      if (closed) return Promise.resolve(refuse("budget_unavailable", "the budget is closed"));
      const running = inFlight.get(request.reservationId);
      if (running) return running;
      const result = holdOnce(request, rider)
        .then((outcome) => heldBefore(request, outcome))
        .catch((error: unknown) =>
        refuse("budget_unavailable", `the hold failed: ${(error as Error).message}`),
      );
      inFlight.set(request.reservationId, result);
      void result.finally(() => inFlight.delete(request.reservationId));
      return result;
    },

    async commit({ organizationId, reservationId, amount }) {
      const problem = idProblem({ organizationId, reservationId }) ?? moneyProblem("amount", amount, { allowZero: true });
      if (problem) return refuse("invalid_request", problem);
      await inFlight.get(reservationId);
      await journaledHoldShipped(reservationId);
      const outcome = await settleSoon({ organizationId, reservationId, kind: "commit", amount });
      if (outcome.kind === "settled") return { outcome: "committed", reservationId, amount };
      if (outcome.kind === "failed") return refuse("budget_unavailable", `the commit could not be written: ${outcome.message}`);
      if (outcome.kind === "missing") return refuse("reservation_not_found", `reservation ${reservationId} does not exist`);
      if (outcome.status === "committed" && outcome.committedAmount === amount.amount && outcome.currency === amount.currency) {
        return { outcome: "committed", reservationId, amount };
      }
      if (outcome.status !== "held") {
        return refuse("reservation_settled", `reservation ${reservationId} is already ${outcome.status}`);
      }
      if (outcome.currency !== amount.currency) {
        return refuse("currency_mismatch", `amount is in ${amount.currency} but reservation ${reservationId} holds ${outcome.currency}`);
      }
      return refuse("commit_exceeds_hold", `amount ${amount.amount} is more than the ${outcome.amount} held by reservation ${reservationId}`);
    },

    async release({ organizationId, reservationId }) {
      const problem = idProblem({ organizationId, reservationId });
      if (problem) return refuse("invalid_request", problem);
      await inFlight.get(reservationId);
      await journaledHoldShipped(reservationId);
      const outcome = await settleSoon({ organizationId, reservationId, kind: "release" });
      if (outcome.kind === "settled") return { outcome: "released", reservationId };
      if (outcome.kind === "failed") return refuse("budget_unavailable", `the release could not be written: ${outcome.message}`);
      if (outcome.kind === "missing") return refuse("reservation_not_found", `reservation ${reservationId} does not exist`);
      if (outcome.status === "committed") return refuse("reservation_settled", `reservation ${reservationId} is already committed`);
      return { outcome: "released", reservationId };
    },

    journalLag: () => journal?.lag ?? 0,

    sweep: (sweepOptions) => sweepBudgets(db, sweepOptions),

    async close() {
      closed = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...inFlight.values()]);
      await holdWrites.drained();
      await journal?.close();
      await settleWrites.drained();
      await Promise.all([...leases.values()].map((lease) => lease.running));
      await reclaimWorkerLeases(db, workerId);
      leases.clear();
    },
  };
}
