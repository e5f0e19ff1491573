import { envelopes, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { purchasingPolicy, startTestWorker, type TestWorker } from "../testing";

describe.each(testDrivers)("lease prefetch on %s", (driver) => {
  let database: Database;
  let worker: TestWorker | undefined;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
  });

  it("draws each agent's day lease at snapshot load, and the next day's when the day turns", async () => {
    // The organization keeps UTC days; the worker's clock starts just before one ends.
    const midnight = Math.ceil(Date.now() / 86_400_000) * 86_400_000;
    let clock = midnight - 300;
    worker = await startTestWorker(database, { policy: purchasingPolicy, tags: ["purchasing"], now: () => new Date(clock) });
    const leasedDays = async () => {
      const rows = await database.db
        .select({ periodStart: envelopes.periodStart, leased: envelopes.leasedAmount })
        .from(envelopes)
        .where(and(eq(envelopes.organizationId, worker!.organizationId), like(envelopes.envelopeKey, `env/agent:${worker!.agentId}/%`)));
      return rows.filter((row) => row.leased > 0).map((row) => row.periodStart.getTime()).sort();
    };
    await vi.waitFor(async () => expect(await leasedDays()).toEqual([midnight - 86_400_000]), { timeout: 5_000, interval: 50 });
    clock = midnight + 10;
    // The turn is re-checked a second after the window's end, by the worker's clock.
    await vi.waitFor(async () => expect(await leasedDays()).toEqual([midnight - 86_400_000, midnight]), { timeout: 5_000, interval: 50 });
  });
});
