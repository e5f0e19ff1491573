/** How often every organization's trust scores are recomputed: tenure grows with no event to announce it. */
const TRUST_RECOMPUTE_MS = 60 * 60_000;

/**
 * Called once per console server process, at `next start` and inside the all-in-one launcher:
 * starts the console's background work. Not awaited, so a database that is slow to open delays
 * the schedule, never the first page.
 */
export async function register() {
  // Next.js also loads this file for the edge runtime, which has no database driver.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const [{ startTrustSchedule }, { getDatabase }] = await Promise.all([import("@tollgate/api"), import("@/server/db")]);
  void getDatabase().then(
    // Also on events: a decided approval or a tripped session moves scores at once, not within the hour.
    // Each round (and one at the start) also rolls up the dashboards' newly sealed days, so a
    // manager's read finds them there instead of filling them on demand.
    (database) => startTrustSchedule({ db: database.db, intervalMs: TRUST_RECOMPUTE_MS, listen: database.listen, dashboardRollup: true }),
    (error: Error) => console.warn(JSON.stringify({ level: "warn", msg: "trust schedule not started", error: error.message })),
  );
}
