import { join } from "node:path";
import { agentSessions, decisions, recordset, resultRows, type Db } from "@tollgate/db";
import { and, eq, or, sql } from "drizzle-orm";
import type { Budget, HoldRider } from "../budget";
import { isIntegrityViolation } from "../budget/budget";
import { groupCommit, writeOrSplit } from "../budget/group-commit";
import { openJournal, type JournalOptions } from "../journal/journal";
import { openApprovals } from "./approvals";

type DecisionRow = typeof decisions.$inferSelect;

/** A decision to log, with the client's session name (the table stores the session's row id). */
export interface DecisionEntry extends Omit<typeof decisions.$inferInsert, "sessionId"> {
  id: string;
  sessionExternalId: string;
  /**
   * The approval a pending decision opens, written with the decision (and so, with a hold, in the
   * hold's transaction: one commit instead of two in a row). Its other fields are the decision's.
   */
  approval?: { id: string; reservationId: string | null; expiresAt: Date };
}

/** Logged: this entry is the decision of record. Duplicate: another was logged first for its request id. */
export type LogResult = { kind: "logged" } | { kind: "duplicate"; first: DecisionRow } | { kind: "failed"; error: unknown };

interface Pending {
  entry: DecisionEntry;
  settle: (result: LogResult) => void;
}

/**
 * Writes decisions (and the sessions they name) within `tx`. A decision whose agent already
 * logged its request id is not written: its result carries the first decision of record.
 * Callers settle their entries only after `tx` commits: "logged" means durable.
 */
export async function writeDecisions(tx: Db, entries: DecisionEntry[]): Promise<LogResult[]> {
  // One statement: the sessions the batch names are upserted and joined in, so the decisions
  // need no second round trip to learn their session ids.
  const input = recordset(decisions, entries, "input", { sessionExternalId: "text" });
  const columns = sql.raw(input.columns.join(", "));
  const values = sql.raw(input.columns.map((column) => (column === "session_id" ? "sessions.id" : `input.${column}`)).join(", "));
  const inserted = resultRows<{ id: string }>(
    await tx.execute(sql`
      with input as (select * from ${input.from}),
      sessions as (
        insert into ${agentSessions} (organization_id, agent_id, external_id, started_at, last_seen_at)
        select organization_id, agent_id, session_external_id, min(created_at), max(created_at)
        from input group by organization_id, agent_id, session_external_id
        -- In the unique key's order, as every batch does: two batches upserting the same sessions
        -- (a hold batch's riders and the log's own) queue behind each other instead of deadlocking.
        order by agent_id, session_external_id
        on conflict (agent_id, external_id) do update
          set last_seen_at = greatest(${agentSessions}.last_seen_at, excluded.last_seen_at)
        returning id, agent_id, external_id
      )
      insert into ${decisions} (${columns})
      select ${values} from input
      join sessions on sessions.agent_id = input.agent_id and sessions.external_id = input.session_external_id
      on conflict (agent_id, request_id) do nothing
      returning id`),
  );
  const logged = new Set(inserted.map((row) => row.id));
  await openApprovals(
    tx,
    entries.flatMap(({ approval, ...entry }) =>
      approval && logged.has(entry.id)
        ? [
            {
              ...approval,
              organizationId: entry.organizationId,
              decisionId: entry.id,
              agentId: entry.agentId,
              action: entry.action,
              merchant: entry.merchant ?? null,
              amount: entry.amount,
              currency: entry.currency,
              reasons: entry.reasons,
              createdAt: entry.createdAt,
            },
          ]
        : [],
    ),
  );
  const losers = entries.filter((entry) => !logged.has(entry.id));
  const firsts =
    losers.length === 0
      ? []
      : await tx
          .select()
          .from(decisions)
          .where(or(...losers.map((entry) => and(eq(decisions.agentId, entry.agentId), eq(decisions.requestId, entry.requestId)))));
  const firstOf = new Map(firsts.map((row) => [`${row.agentId}\u0000${row.requestId}`, row]));
  return entries.map((entry) => {
    const first = firstOf.get(`${entry.agentId}\u0000${entry.requestId}`);
    // The first of record may be this very decision, written before (a journal shipping again).
    return logged.has(entry.id) || !first || first.id === entry.id ? { kind: "logged" } : { kind: "duplicate", first };
  });
}

/** A decision entry read back from a journal line. */
export function reviveDecisionEntry(value: unknown): DecisionEntry {
  const entry = value as DecisionEntry & { createdAt: string; approval?: { expiresAt: string } };
  return {
    ...entry,
    createdAt: new Date(entry.createdAt),
    ...(entry.approval ? { approval: { ...entry.approval, expiresAt: new Date(entry.approval.expiresAt) } } : {}),
  };
}

export interface DecisionLogOptions {
  maxBatch?: number;
  /** Makes decisions durable in a local journal (shipped to PostgreSQL after) instead of a transaction per batch. */
  journalDir?: string;
  /** Told how long each of that journal's durable writes took (see JournalOptions). */
  onJournalWrite?: JournalOptions<unknown>["onWrite"];
  /**
   * Told about a journaled decision that did not reach PostgreSQL as its own row: another worker
   * logged its request id first, or a constraint refused it.
   */
  onLost?: (entry: DecisionEntry, reason: string) => void;
}

/**
 * The decision log, written in group commits: every entry that arrives while a batch is being
 * written goes into the next one, so a busy worker pays one transaction for many decisions.
 * `record` resolves once the decision is durable (or known to be a duplicate), which is when the
 * worker may answer the client. With a journal, durable means on the worker's disk, and the
 * batches ship to PostgreSQL behind the answers. (Decisions that hold money are written with
 * their hold instead, in the budget's transaction or journal: see `decisionRider`.)
 */
export async function openDecisionLog(db: Db, options: DecisionLogOptions = {}) {
  const maxBatch = options.maxBatch ?? 500;
  const write = (entries: DecisionEntry[]) => db.transaction((tx) => writeDecisions(tx as unknown as Db, entries));

  if (options.journalDir) {
    const journal = await openJournal<DecisionEntry>({
      dir: join(options.journalDir, "decisions"),
      encode: (entry) => JSON.stringify(entry),
      decode: (line) => reviveDecisionEntry(JSON.parse(line)),
      ship: (entries) =>
        writeOrSplit(
          entries,
          async (part) => {
            const results = await write(part);
            results.forEach((result, i) => result.kind === "duplicate" && options.onLost?.(part[i]!, `request id already logged by decision ${result.first.id}`));
          },
          (entry, error) => {
            // Anything but a refusal may pass: the journal tries the batch again.
            if (!isIntegrityViolation(error)) throw error;
            options.onLost?.(entry, (error as Error).message);
          },
        ),
      maxBatch,
      ...(options.onJournalWrite ? { onWrite: options.onJournalWrite } : {}),
    });
    return {
      async record(entry: DecisionEntry): Promise<LogResult> {
        try {
          await journal.append(entry);
          return { kind: "logged" };
        } catch (error) {
          return { kind: "failed", error };
        }
      },
      /** Decisions journaled and not yet in PostgreSQL. */
      lag: () => journal.lag,
      drained: () => journal.close(),
    };
  }

  const queue = groupCommit<Pending>(
    (batch) =>
      writeOrSplit(
        batch,
        async (part) => {
          const results = await write(part.map((pending) => pending.entry));
          part.forEach((pending, i) => pending.settle(results[i]!));
        },
        (pending, error) => pending.settle({ kind: "failed", error }),
      ),
    maxBatch,
  );
  return {
    record(entry: DecisionEntry): Promise<LogResult> {
      return new Promise((settle) => queue.push({ entry, settle }));
    },
    lag: () => 0,
    drained: () => queue.drained(),
  };
}

export type DecisionLog = Awaited<ReturnType<typeof openDecisionLog>>;

/**
 * A decision that holds money, built when its hold is written (so its latency counts the wait
 * for the hold) and written in the hold's transaction: one commit makes both durable.
 */
export type RidingDecision = () => DecisionEntry;

export const decisionRider: HoldRider<RidingDecision, LogResult, DecisionEntry> = {
  materialize: (entry) => entry(),
  write: writeDecisions,
  journaled: { kind: "logged" },
  // Another worker logged this request id first: this decision's hold must not stand beside it.
  keepsHold: (outcome) => outcome.kind === "logged",
  revive: reviveDecisionEntry,
};

/** The budget of a decision worker: its holds carry their decisions. */
export type DecisionBudget = Budget<RidingDecision, LogResult>;
