import { agents, envelopes, trustScoreHistory, type Database } from "@tollgate/db";
import { openTestDatabase } from "@tollgate/db/testing";
import { serveWorker } from "@tollgate/worker";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "./seed";
import { DEMO_SESSIONS, simulateDemoTraffic } from "./traffic";

// As the one-command start does it: the embedded database, the worker in the same process.
describe("the demo's first start plays simulated traffic through the worker", () => {
  let database: Database;
  let worker: Awaited<ReturnType<typeof serveWorker>>;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
  });

  it("adds every archetype to the demo with a trust history and envelopes of its own", async () => {
    const seed = await seedDemo(database.db);
    worker = await serveWorker({ host: "127.0.0.1", port: 0, workerId: "w-demo-traffic", version: "test", database });
    const report = await simulateDemoTraffic(database.db, worker.url, seed.organizationId);

    expect(report.organizationId).toBe(seed.organizationId);
    expect(report.sessionsToSeparate.met).toBe(true);
    const simulated = await database.db.select({ id: agents.id, name: agents.name }).from(agents).where(eq(agents.organizationId, seed.organizationId));
    const ids = simulated.filter((agent) => /^(careful|loopy|drifting|stolen-key|over-delegator)-1$/.test(agent.name)).map((agent) => agent.id);
    expect(ids).toHaveLength(5);
    const history = await database.db.select().from(trustScoreHistory).where(inArray(trustScoreHistory.agentId, ids));
    expect(history.length).toBeGreaterThanOrEqual(5 * (DEMO_SESSIONS + 1));
    const daily = await database.db.select().from(envelopes).where(and(eq(envelopes.organizationId, seed.organizationId), eq(envelopes.period, "day")));
    expect(daily.length).toBeGreaterThan(0);
  }, 120_000);
});
