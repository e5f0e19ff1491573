import { organizations, type Database } from "@tollgate/db";
import { openTestDatabase } from "@tollgate/db/testing";
import { serveWorker } from "@tollgate/worker";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport, TARGETS, type SimulationReport } from "./report";
import { simulateTraffic } from "./simulate";

const SESSIONS = 6;

// The real worker over HTTP on PostgreSQL, as in production: the simulation commits (the worker
// reads from its own connections), so its organization is deleted afterwards.
describe("the traffic simulator against a real worker on PostgreSQL", () => {
  let database: Database;
  let worker: Awaited<ReturnType<typeof serveWorker>>;
  let report: SimulationReport;
  let rerun: SimulationReport;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    worker = await serveWorker({ host: "127.0.0.1", port: 0, workerId: `w-simulator-${process.pid}`, version: "test", database });
    report = await simulateTraffic({ db: database.db, workerUrl: worker.url, sessions: SESSIONS, seed: 7 });
    rerun = await simulateTraffic({ db: database.db, workerUrl: worker.url, sessions: 2, seed: 7 });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    for (const done of [report, rerun]) if (done) await database.db.delete(organizations).where(eq(organizations.id, done.organizationId));
    await database?.close();
  });

  it("separates every misbehaving agent from every careful one within five sessions, and keeps them apart", () => {
    expect(report.sessionsToSeparate).toMatchObject({ met: true, target: TARGETS.sessionsToSeparate });
    expect(report.sessionsToSeparate.value).toBeLessThanOrEqual(5);
    const last = (archetype: string) => report.trajectories.filter((t) => t.archetype === archetype).map((t) => t.scores.at(-1)!);
    for (const archetype of ["loopy", "drifting", "stolen-key", "over-delegator"]) {
      expect(Math.max(...last(archetype))).toBeLessThan(Math.min(...last("careful")));
    }
    for (const t of report.trajectories) expect(t.scores).toHaveLength(SESSIONS + 1);
  });

  it("stops every retry loop within five calls", () => {
    expect(report.loops).toHaveLength(2 * SESSIONS);
    expect(report.loopCallsBeforeStop).toMatchObject({ met: true });
    for (const loop of report.loops) expect(loop.allowedBeforeStop).toBeLessThanOrEqual(5);
  });

  it("holds at most 1 % of careful traffic", () => {
    expect(report.carefulCalls).toBeGreaterThan(100);
    expect(report.carefulFalseHoldRate.value).toBeLessThanOrEqual(0.01);
    expect(report.carefulFalseHoldRate.met).toBe(true);
  });

  it("plays the same traffic for the same seed, in a fresh organization each time", () => {
    expect(rerun.organizationId).not.toBe(report.organizationId);
    expect(rerun.trajectories).toEqual(report.trajectories.map((t) => ({ ...t, scores: t.scores.slice(0, 3) })));
    expect(rerun.loops).toEqual(report.loops.filter((loop) => /-session-[12]$/.test(loop.id)));
  });

  it("counts the money every control kept, and renders it all as text", () => {
    // Every control of the simulation's policy, the anomaly gate included, kept some money from being spent.
    for (const saving of report.saved) expect(saving.amount, saving.family).toBeGreaterThan(0);
    expect(report.calls.total).toBe(report.calls.allow + report.calls.deny + report.calls.pending);
    const text = renderReport(report);
    expect(text).toContain("false holds on careful traffic");
    expect(text).not.toContain("MISSED");
  });
});
