import { issueAgentKey, publishSnapshot } from "@tollgate/api";
import { apiKeys, organizations, snapshots, workers, workerSnapshots, type Database } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture } from "@tollgate/db/testing";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SnapshotStore } from "./store";
import { startSnapshotSync } from "./sync";

const quiet = () => {};

async function organizationWithKey(database: Database) {
  const org = await organizationFixture(database.db);
  const agent = await agentFixture(database.db, await userFixture(database.db, org.id));
  const key = issueAgentKey();
  await database.db.insert(apiKeys).values({ organizationId: org.id, agentId: agent.id, prefix: key.prefix, hash: key.hash });
  return { org, agent, key };
}

function waitFor(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve(Date.now() - started);
      else if (Date.now() - started > timeoutMs) reject(new Error(`not within ${timeoutMs} ms`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe.each(testDrivers)("snapshot sync on %s", (driver) => {
  let database: Database;
  const created: string[] = [];
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    for (const id of created) await database.db.delete(organizations).where(eq(organizations.id, id));
    await database?.close();
  });

  it("serves the newest snapshot at start and records which version this worker serves", async () => {
    const { org, key } = await organizationWithKey(database);
    created.push(org.id);
    await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now: new Date() });
    await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now: new Date() });

    const store = new SnapshotStore();
    const workerId = `w-start-${driver}-${org.id.slice(0, 8)}`;
    const sync = await startSnapshotSync({ database, store, workerId, version: "test", pollMs: 60_000, now: () => new Date(), log: quiet });
    try {
      expect(store.forKeyHash(key.hash)?.version).toBe(2);
      const [served] = await database.db
        .select()
        .from(workerSnapshots)
        .where(and(eq(workerSnapshots.workerId, workerId), eq(workerSnapshots.organizationId, org.id)));
      expect(served?.snapshotVersion).toBe(2);
    } finally {
      await sync.stop();
    }
    expect(await database.db.select().from(workers).where(eq(workers.id, workerId))).toEqual([]);
  });

  it("swaps in a newly published version within a second of the notification", async () => {
    const { org, key } = await organizationWithKey(database);
    created.push(org.id);
    await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now: new Date() });
    const store = new SnapshotStore();
    const sync = await startSnapshotSync({
      database,
      store,
      workerId: `w-notify-${driver}-${org.id.slice(0, 8)}`,
      version: "test",
      pollMs: 60_000,
      now: () => new Date(),
      log: quiet,
    });
    try {
      await publishSnapshot({ db: database.db, organizationId: org.id, cause: "agent.suspend", now: new Date() });
      const elapsed = await waitFor(() => store.forKeyHash(key.hash)?.version === 2, 1_000);
      expect(elapsed).toBeLessThan(1_000);
    } finally {
      await sync.stop();
    }
  });

  it("refuses a tampered snapshot and keeps serving the last good one", async () => {
    const { org, key } = await organizationWithKey(database);
    created.push(org.id);
    await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now: new Date() });
    const store = new SnapshotStore();
    const errors: string[] = [];
    const sync = await startSnapshotSync({
      database,
      store,
      workerId: `w-tamper-${driver}-${org.id.slice(0, 8)}`,
      version: "test",
      pollMs: 60_000,
      now: () => new Date(),
      log: (level, msg) => level === "error" && errors.push(msg),
    });
    try {
      // Someone with database access edits the stored document without re-signing it, before the
      // notification goes out (it is delivered at commit).
      await database.db.transaction(async (tx) => {
        await publishSnapshot({ db: tx, organizationId: org.id, cause: "test", now: new Date() });
        await tx
          .update(snapshots)
          .set({ document: sql`jsonb_set(${snapshots.document}, '{body,issuedAt}', '"2000-01-01T00:00:00Z"')` })
          .where(and(eq(snapshots.organizationId, org.id), eq(snapshots.version, 2)));
      });
      await sync.refresh();
      expect(store.forKeyHash(key.hash)?.version).toBe(1);
      expect(errors).toContain("snapshot refused; still serving the last good one");
    } finally {
      await sync.stop();
    }
  });

  it("starts and serves the other organizations when one fails to load, and retries it on the next pass", async () => {
    const failing = await organizationWithKey(database);
    const healthy = await organizationWithKey(database);
    created.push(failing.org.id, healthy.org.id);
    for (const { org } of [failing, healthy]) await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now: new Date() });
    // The database refuses this worker's report for one organization, as it would for an
    // organization deleted between the listing and the load.
    const trigger = `refuse_${failing.org.id.slice(0, 8)}_${driver}`;
    await database.db.execute(
      sql.raw(`create function ${trigger}() returns trigger language plpgsql as $$ begin
        if new.organization_id = '${failing.org.id}' then raise exception 'refused for the test'; end if; return new; end $$`),
    );
    await database.db.execute(sql.raw(`create trigger ${trigger} before insert or update on worker_snapshots for each row execute function ${trigger}()`));
    const warnings: string[] = [];
    const workerId = `w-isolate-${driver}-${failing.org.id.slice(0, 8)}`;
    const reportedVersion = async (organizationId: string) =>
      (
        await database.db
          .select()
          .from(workerSnapshots)
          .where(and(eq(workerSnapshots.workerId, workerId), eq(workerSnapshots.organizationId, organizationId)))
      )[0]?.snapshotVersion;
    let sync: Awaited<ReturnType<typeof startSnapshotSync>> | undefined;
    try {
      sync = await startSnapshotSync({
        database,
        store: new SnapshotStore(),
        workerId,
        version: "test",
        pollMs: 60_000,
        now: () => new Date(),
        log: (level, msg) => level === "warn" && warnings.push(msg),
      });
      expect(warnings).toContain("an organization's snapshot failed to load; retrying on the next pass");
      expect(await reportedVersion(healthy.org.id)).toBe(1);
      expect(await reportedVersion(failing.org.id)).toBeUndefined();
    } finally {
      await database.db.execute(sql.raw(`drop trigger ${trigger} on worker_snapshots`));
      await database.db.execute(sql.raw(`drop function ${trigger}()`));
    }
    try {
      await sync.refresh();
      expect(await reportedVersion(failing.org.id)).toBe(1);
    } finally {
      await sync.stop();
    }
  });
});
