import { agents, APPROVAL_CHANNEL, organizations, SESSION_CHANNEL, trustScores, type ApprovalNotice, type Db, type SessionNotice } from "@tollgate/db";
import { asc, eq } from "drizzle-orm";
import { rollUpSealedDays } from "../rollups/background";
import { publishSnapshot } from "../snapshots/publish";
import { recomputeTrustScores } from "./recompute";

/**
 * Recomputes one organization's trust scores and, when any score moved (or an agent got its
 * first), publishes the snapshot that carries them, so workers apply trust bands within a second.
 * Returns the published version, or null when nothing changed.
 */
export async function refreshTrustScores(db: Db, organizationId: string, now: Date): Promise<number | null> {
  const before = new Map(
    (await db.select({ agentId: trustScores.agentId, score: trustScores.score }).from(trustScores).where(eq(trustScores.organizationId, organizationId))).map(
      (row) => [row.agentId, row.score],
    ),
  );
  const after = await recomputeTrustScores(db, organizationId, now);
  if ([...after].every(([agentId, score]) => before.get(agentId) === score)) return null;
  const published = await publishSnapshot({ db, organizationId, cause: "trust.recompute", now });
  if (!published.ok) throw new Error(`organization ${organizationId}: the snapshot with new trust scores does not compile: ${published.errors.map((e) => e.message).join("; ")}`);
  return published.version;
}

type Log = (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;

const defaultLog: Log = (level, msg, fields) => console[level === "info" ? "log" : "warn"](JSON.stringify({ level, msg, ...fields }));

/** Where the schedule hears of events that move scores: a decided or expired approval, a tripped session. */
type Listen = (channel: string, onMessage: (payload: string) => void) => Promise<() => Promise<void>>;

/**
 * Recomputes every organization's trust scores every `intervalMs` (the first round one interval
 * after the start), publishing a snapshot only for organizations whose scores moved: tenure grows
 * and old signals age even when no event arrives. With `listen`, an organization is also
 * recomputed `eventDelayMs` after an event that moves scores (an approval decided or expired, a
 * session's breaker tripped), events close together sharing one recompute. Rounds never overlap;
 * one organization's failure is logged and does not stop the others. `stop` waits for a running round.
 * With `dashboardRollup`, each round (and one at the start) also rolls up every organization's
 * newly sealed dashboard days, so a manager's first read of the day finds them there.
 *
 * @example const schedule = startTrustSchedule({ db, intervalMs: 60 * 60_000, listen: database.listen, dashboardRollup: true }); … await schedule.stop();
 */
export function startTrustSchedule({
  db,
  intervalMs,
  listen,
  eventDelayMs = 2_000,
  dashboardRollup = false,
  now = () => new Date(),
  log = defaultLog,
}: {
  db: Db;
  intervalMs: number;
  listen?: Listen;
  eventDelayMs?: number;
  dashboardRollup?: boolean;
  now?: () => Date;
  log?: Log;
}) {
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  let stopped = false;

  async function recompute(organizationIds: readonly string[]): Promise<void> {
    const at = now();
    for (const id of organizationIds) {
      if (stopped) return;
      try {
        const version = await refreshTrustScores(db, id, at);
        if (version !== null) log("info", "trust scores changed; snapshot published", { organizationId: id, version });
      } catch (error) {
        log("warn", "trust recompute failed", { organizationId: id, error: (error as Error).message });
      }
    }
  }

  async function rollUp(organizationIds: readonly string[]): Promise<void> {
    const at = now();
    for (const id of organizationIds) {
      if (stopped) return;
      try {
        const { filled, refilled } = await rollUpSealedDays(db, id, at);
        if (filled > 0) log("info", "dashboard days rolled up", { organizationId: id, days: filled });
        if (refilled.length > 0) log("warn", "dashboard days rolled up again: rows arrived after they were sealed", { organizationId: id, days: refilled });
      } catch (error) {
        log("warn", "dashboard rollup failed", { organizationId: id, error: (error as Error).message });
      }
    }
  }

  const everyOrganization = async () => (await db.select({ id: organizations.id }).from(organizations).orderBy(asc(organizations.id))).map((row) => row.id);

  /** Queues work after the running round, so two rounds never recompute at once. */
  function enqueue(work: () => Promise<void>): void {
    round = round.then(work).catch((error: Error) => log("warn", "trust recompute round failed", { error: error.message }));
  }

  function schedule() {
    timer = setTimeout(() => {
      enqueue(async () => {
        const organizationIds = await everyOrganization();
        await recompute(organizationIds);
        if (dashboardRollup) await rollUp(organizationIds);
      });
      void round.finally(() => {
        if (!stopped) schedule();
      });
    }, intervalMs);
    // The schedule never keeps a process alive on its own.
    timer.unref();
  }
  schedule();
  if (dashboardRollup) enqueue(async () => rollUp(await everyOrganization()));

  const due = new Set<string>();
  let eventTimer: NodeJS.Timeout | undefined;
  function soon(organizationId: string): void {
    if (stopped) return;
    due.add(organizationId);
    eventTimer ??= setTimeout(() => {
      eventTimer = undefined;
      const organizationIds = [...due];
      due.clear();
      enqueue(() => recompute(organizationIds));
    }, eventDelayMs);
  }
  const unlistens = listen
    ? [
        listen(APPROVAL_CHANNEL, (payload) => {
          const notice = JSON.parse(payload) as ApprovalNotice;
          if (notice.status !== "pending") soon(notice.organizationId);
        }),
        listen(SESSION_CHANNEL, (payload) => {
          const notice = JSON.parse(payload) as SessionNotice;
          if (notice.status !== "tripped") return;
          void db
            .select({ organizationId: agents.organizationId })
            .from(agents)
            .where(eq(agents.id, notice.agentId))
            .then(([agent]) => agent && soon(agent.organizationId));
        }),
      ]
    : [];

  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(eventTimer);
      for (const unlisten of await Promise.all(unlistens)) await unlisten();
      await round;
    },
  };
}
