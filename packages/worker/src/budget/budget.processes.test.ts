import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { envelopeLedger, reservations, type Database } from "@tollgate/db";
import { openTestDatabase } from "@tollgate/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBudget } from "./budget";
import type { HammerConfig } from "./testing/hammer";
import { envelopeFixture, envelopeTotals, holdFixture, tenantFixture } from "./testing/fixtures";

const hammerPath = fileURLToPath(new URL("./testing/hammer.ts", import.meta.url));
const packageRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A worker process and every line it printed; `lines` grows while it runs. */
interface Hammer {
  child: ChildProcess;
  lines: string[];
  ready: Promise<void>;
  exited: Promise<number | null>;
  waitFor(predicate: () => boolean): Promise<void>;
}

function startHammer(config: HammerConfig): Hammer {
  const child = spawn(process.execPath, ["--import", "tsx", hammerPath, JSON.stringify(config)], {
    cwd: packageRoot,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  const watchers = new Set<() => void>();
  let buffered = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split("\n");
    buffered = complete.pop()!;
    lines.push(...complete);
    for (const watch of watchers) watch();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = (predicate: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const watch = () => {
        const failed = lines.find((line) => line.startsWith("error "));
        if (failed) reject(new Error(failed));
        else if (predicate()) {
          watchers.delete(watch);
          resolve();
        }
      };
      watchers.add(watch);
      void exited.then(() => {
        watch();
        if (watchers.has(watch)) reject(new Error(`worker exited before it was expected to: ${lines.slice(-3).join(" / ")}`));
      });
      watch();
    });
  return { child, lines, exited, waitFor, ready: waitFor(() => lines.includes("ready")) };
}

const parse = (lines: string[], kind: string) =>
  lines.filter((line) => line.startsWith(`${kind} `)).map((line) => line.split(" ").slice(1));

// Each worker either writes every batch of holds to PostgreSQL before answering, or journals
// them on its own disk and ships them after: the promises are the same.
describe.each(["database", "journal"] as const)("budget across worker processes on one PostgreSQL, holds durable in the %s", (durability) => {
  let database: Database;
  let url: string;
  let journalRoot: string;
  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    url = (database.config as { url: string }).url;
    journalRoot = mkdtempSync(join(tmpdir(), "tollgate-hammer-"));
  });
  afterAll(async () => {
    await database?.close();
    rmSync(journalRoot, { recursive: true, force: true });
  });
  /** A worker's journal directory, kept across its restarts; none when holds go straight to PostgreSQL. */
  const journalOf = (workerId: string) => (durability === "journal" ? { journalDir: join(journalRoot, workerId) } : {});

  it("1,000 concurrent requests on one $100 envelope from 3 worker processes on one PostgreSQL: held + committed never exceeds the limit, and ends within one request of it", async () => {
    const tenant = await tenantFixture(database.db);
    try {
      const envelope = envelopeFixture(10_000);
      const amount = 37;
      const hammers = [334, 333, 333].map((requests, i) => {
        const workerId = `burst-${i}-${randomUUID()}`;
        return startHammer({
          url,
          workerId,
          ...journalOf(workerId),
          ...tenant,
          envelope: { ...envelope, periodStart: envelope.periodStart.toISOString() },
          mode: "burst",
          requests,
          amount,
          concurrency: 0,
        });
      });
      await Promise.all(hammers.map((h) => h.ready));
      for (const h of hammers) h.child.stdin!.write("go\n");

      // Watch the envelope from outside while the workers run.
      let watching = true;
      let peak = 0;
      const watcher = (async () => {
        while (watching) {
          const totals = await envelopeTotals(database.db, tenant.organizationId, envelope.key);
          if (totals) {
            // INVARIANT: held + committed <= limit
            expect(totals.held + totals.committed + totals.leased).toBeLessThanOrEqual(10_000);
            peak = Math.max(peak, totals.held + totals.committed);
          }
        }
      })();
      const codes = await Promise.all(hammers.map((h) => h.exited));
      watching = false;
      await watcher;
      expect(codes).toEqual([0, 0, 0]);

      const held = hammers.flatMap((h) => parse(h.lines, "held"));
      const refused = hammers.flatMap((h) => parse(h.lines, "refused"));
      expect(held.length + refused.length).toBe(1_000);
      expect(new Set(refused.map(([code]) => code))).toEqual(new Set(["envelope_exceeded"]));
      const totals = (await envelopeTotals(database.db, tenant.organizationId, envelope.key))!;
      expect(totals.held + totals.committed).toBe(held.length * amount);
      expect(totals.held + totals.committed).toBeLessThanOrEqual(10_000);
      expect(10_000 - (totals.held + totals.committed)).toBeLessThan(amount);
      expect(totals.leased).toBe(0);
      expect(totals.fromReservations.count).toBe(held.length);
      expect(peak).toBe(totals.held + totals.committed);
    } finally {
      await tenant.remove();
    }
  });

  it("a worker killed with SIGKILL under load loses no acknowledged hold, and after restart and sweep every hold is settled, none leaked, none doubled", async () => {
    const tenant = await tenantFixture(database.db);
    const workerId = `steady-${randomUUID()}`;
    const envelope = envelopeFixture(1_000_000);
    try {
      const hammer = startHammer({
        url,
        workerId,
        ...journalOf(workerId),
        ...tenant,
        envelope: { ...envelope, periodStart: envelope.periodStart.toISOString() },
        mode: "steady",
        requests: 0,
        amount: 0,
        concurrency: 40,
      });
      await hammer.ready;
      hammer.child.stdin!.write("go\n");
      await hammer.waitFor(() => hammer.lines.length > 600);
      hammer.child.kill("SIGKILL");
      await hammer.exited;

      const acknowledged = parse(hammer.lines, "held");
      const committed = new Map(parse(hammer.lines, "committed").map(([id, actual]) => [id!, Number(actual)]));
      const released = new Set(parse(hammer.lines, "released").map(([id]) => id!));
      expect(acknowledged.length).toBeGreaterThan(100);

      // The dead worker left money in its lease and holds nobody will claim.
      const before = (await envelopeTotals(database.db, tenant.organizationId, envelope.key))!;
      expect(before.leased).toBeGreaterThan(0);
      expect(before.held).toBeGreaterThan(0);

      // Restart: the worker comes back under the same id, ships what its journal holds and
      // reclaims its leases; the sweep expires the holds nobody will claim now.
      const { journalDir } = journalOf(workerId);
      const restarted = await openBudget({ db: database.db, workerId, sweepIntervalMs: 0, ...(journalDir ? { journal: { dir: journalDir } } : {}) });
      try {
        await restarted.sweep({ asOf: new Date(Date.now() + 3_600_000), organizationId: tenant.organizationId });

        const rows = await database.db
          .select({ id: reservations.id, status: reservations.status, amount: reservations.amount, committed: reservations.committedAmount })
          .from(reservations)
          .where(eq(reservations.organizationId, tenant.organizationId));
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const [id, amount] of acknowledged) {
          expect(byId.get(id!), `acknowledged hold ${id} is in the database`).toMatchObject({ amount: Number(amount) });
        }
        for (const [id, actual] of committed) expect(byId.get(id)).toMatchObject({ status: "committed", committed: actual });
        for (const id of released) expect(byId.get(id)).toMatchObject({ status: "released" });
        expect(rows.filter((r) => r.status === "held")).toEqual([]);
        expect(rows.some((r) => r.status === "expired")).toBe(true);

        // None doubled: one hold entry in the ledger per reservation.
        const holds = await database.db
          .select({ reservationId: envelopeLedger.reservationId, n: sql<number>`count(*)::int` })
          .from(envelopeLedger)
          .where(sql`${envelopeLedger.organizationId} = ${tenant.organizationId} and ${envelopeLedger.kind} = 'hold'`)
          .groupBy(envelopeLedger.reservationId);
        expect(holds.length).toBe(rows.length);
        expect(holds.every((h) => h.n === 1)).toBe(true);

        // None leaked: nothing held or leased; the envelope's totals are the sum of its reservations.
        const totals = (await envelopeTotals(database.db, tenant.organizationId, envelope.key))!;
        expect(totals).toMatchObject({ held: 0, leased: 0, fromLeases: 0 });
        expect(totals.committed).toBe(totals.fromReservations.committed);
        expect(totals.fromReservations.count).toBe(rows.length);

        // And every unspent cent can be held again.
        const rest = 1_000_000 - totals.committed;
        expect(await restarted.hold(holdFixture(tenant, [envelope], rest))).toMatchObject({ outcome: "held" });
        expect(await restarted.hold(holdFixture(tenant, [envelope], 1))).toMatchObject({ code: "envelope_exceeded" });
      } finally {
        await restarted.close();
      }
    } finally {
      await tenant.remove();
    }
  });
});
