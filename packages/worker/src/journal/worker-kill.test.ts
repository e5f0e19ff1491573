import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decisions, reservations, type Database } from "@tollgate/db";
import { openTestDatabase } from "@tollgate/db/testing";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTestOrganization, type TestOrganization } from "../testing";

const mainPath = fileURLToPath(new URL("../main.ts", import.meta.url));
const packageRoot = fileURLToPath(new URL("../..", import.meta.url));

const policy = {
  name: "payments",
  selector: { tags: ["payments"] },
  grants: [{ id: "stripe", actions: ["stripe.*"] }],
  limits: [{ id: "daily", period: "day", amount: 1_000_000_000, currency: "USD" }],
};

/** The worker as its own process, the way it is deployed; resolves with its URL once it listens. */
function startWorker(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ["--import", "tsx", mainPath], { cwd: packageRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === "worker started" && entry.url) resolve(entry.url);
        } catch {
          // A partial line: the rest comes with the next chunk.
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
    });
    child.once("exit", (code, signal) => reject(new Error(`the worker exited (${code ?? signal}) before it listened`)));
  });
  return { child, url, exited };
}

describe("a journaling worker killed with SIGKILL under load", () => {
  let database: Database;
  let seeded: TestOrganization;
  let journalDir: string;
  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    seeded = await seedTestOrganization(database, { policy, tags: ["payments"] });
    journalDir = mkdtempSync(join(tmpdir(), "tollgate-worker-journal-"));
  });
  afterAll(async () => {
    await seeded?.remove();
    await database?.close();
    rmSync(journalDir, { recursive: true, force: true });
  });

  it("loses no decision it answered: after a restart every one is in the decisions table, every allow with its hold", async () => {
    const env = {
      DATABASE_URL: (database.config as { url: string }).url,
      WORKER_PORT: "0",
      WORKER_ID: `kill-${seeded.organizationId.slice(0, 8)}`,
      WORKER_JOURNAL_DIR: journalDir,
    };
    const first = startWorker(env);
    const url = await first.url;

    const answered: { decisionId: string; decision: string; reservationId?: string }[] = [];
    let requestSeq = 0;
    let killed = false;
    const lane = async () => {
      while (!killed) {
        const n = ++requestSeq;
        try {
          const response = await fetch(`${url}/v1/decisions`, {
            method: "POST",
            headers: { authorization: `Bearer ${seeded.key}` },
            // One call in ten asks for an action no grant covers: denials are journaled too.
            body: JSON.stringify({
              action: n % 10 === 0 ? "aws.ec2.run_instances" : "stripe.charges.create",
              amount: { amount: 100 + (n % 50), currency: "USD" },
              sessionId: `s-${n % 7}`,
              requestId: `r-${n}`,
            }),
          });
          const body = (await response.json()) as { decision?: string; decisionId?: string; reservationId?: string };
          if (response.status === 200 && body.decisionId) answered.push({ decisionId: body.decisionId, decision: body.decision!, ...(body.reservationId ? { reservationId: body.reservationId } : {}) });
        } catch {
          // Killed mid-request: this one was never answered.
        }
      }
    };
    const lanes = Array.from({ length: 16 }, lane);
    // The journals report how much of them has yet to reach PostgreSQL, and how long their writes take.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^tollgate_journal_lag_records\{journal="holds"\} \d+$/m);
    expect(metrics).toMatch(/^tollgate_journal_lag_records\{journal="decisions"\} \d+$/m);
    while (answered.length < 400) await new Promise((resolve) => setTimeout(resolve, 5));
    const written = await (await fetch(`${url}/metrics`)).text();
    expect(Number(/^tollgate_journal_write_seconds_count\{journal="holds"\} (\d+)$/m.exec(written)?.[1])).toBeGreaterThan(0);
    first.child.kill("SIGKILL");
    killed = true;
    await Promise.all(lanes);
    await first.exited;
    const allows = answered.filter((a) => a.decision === "allow");
    expect(allows.length).toBeGreaterThan(300);
    expect(answered.some((a) => a.decision === "deny")).toBe(true);

    // The same worker comes back: it ships what its journal holds before it serves.
    const second = startWorker(env);
    await second.url;
    try {
      const ids = answered.map((a) => a.decisionId);
      const logged = await database.db.select({ id: decisions.id, outcome: decisions.outcome }).from(decisions).where(inArray(decisions.id, ids));
      const outcomeOf = new Map(logged.map((row) => [row.id, row.outcome]));
      for (const a of answered) expect(outcomeOf.get(a.decisionId), `decision ${a.decisionId} is logged`).toBe(a.decision);

      const held = await database.db
        .select({ id: reservations.id, decisionId: reservations.decisionId, amount: reservations.amount })
        .from(reservations)
        .where(eq(reservations.organizationId, seeded.organizationId));
      const holdOf = new Map(held.map((row) => [row.id, row]));
      for (const allow of allows) expect(holdOf.get(allow.reservationId!)?.decisionId, `the hold of ${allow.decisionId}`).toBe(allow.decisionId);
      // None doubled: one hold per answered allow, no more than were ever made.
      expect(new Set(held.map((row) => row.decisionId)).size).toBe(held.length);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 60_000);
});
