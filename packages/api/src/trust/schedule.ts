import { organizations, trustScores, type Db } from "@tollgate/db";
import { asc, eq } from "drizzle-orm";
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

/**
 * Recomputes every organization's trust scores every `intervalMs` (the first round one interval
 * after the start), publishing a snapshot only for organizations whose scores moved: tenure grows
 * and old signals age even when no event arrives. Rounds never overlap; one organization's
 * failure is logged and does not stop the others. `stop` waits for a running round.
 *
 * @example const schedule = startTrustSchedule({ db, intervalMs: 60 * 60_000 }); … await schedule.stop();
 */
export function startTrustSchedule({ db, intervalMs, now = () => new Date(), log = defaultLog }: { db: Db; intervalMs: number; now?: () => Date; log?: Log }) {
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  let stopped = false;

  async function recomputeAll(): Promise<void> {
    const at = now();
    const organizationIds = await db.select({ id: organizations.id }).from(organizations).orderBy(asc(organizations.id));
    for (const { id } of organizationIds) {
      if (stopped) return;
      try {
        const version = await refreshTrustScores(db, id, at);
        if (version !== null) log("info", "trust scores changed; snapshot published", { organizationId: id, version });
      } catch (error) {
        log("warn", "trust recompute failed", { organizationId: id, error: (error as Error).message });
      }
    }
  }

  function schedule() {
    timer = setTimeout(() => {
      round = recomputeAll()
        .catch((error: Error) => log("warn", "trust recompute round failed", { error: error.message }))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, intervalMs);
    // The schedule never keeps a process alive on its own.
    timer.unref();
  }
  schedule();

  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
