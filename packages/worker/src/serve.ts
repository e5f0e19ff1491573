import type { AddressInfo } from "node:net";
import type { Database } from "@tollgate/db";
import { openBudget } from "./budget";
import { createWorkerCore } from "./core";
import { startApprovalExpiry } from "./decide/approval-expiry";
import { openApprovalWaiters } from "./decide/approval-waiters";
import { startWebhookDispatcher } from "./decide/approval-webhooks";
import { openSessionBreaker } from "./decide/breaker";
import { decisionRider, openDecisionLog } from "./decide/decision-log";
import { startLeasePrefetch } from "./decide/prefetch";
import { openStandingGrants } from "./decide/standing-grants";
import { openMerchantHistory } from "./decide/merchant-history";
import { createDecisionService } from "./decide/service";
import { WorkerUsage } from "./decide/usage";
import { createNodeServer } from "./http/node";
import { watchGcPauses } from "./observe/gc-pauses";
import { Histogram } from "./observe/histogram";
import { DURATION_BUCKETS } from "./observe/metrics";
import { servedSnapshots } from "./observe/snapshots";
import { SnapshotStore } from "./snapshots/store";
import { startSnapshotSync } from "./snapshots/sync";

export interface ServeOptions {
  host: string;
  port: number;
  workerId: string;
  version: string;
  database: Database;
  /** See DecisionServiceConfig; defaults suit production. */
  holdTtlMs?: number;
  approvalTtlMs?: number;
  maxStalenessMs?: number;
  snapshotPollMs?: number;
  /** The first retry of a failed approval webhook waits this long, doubling after (default 1 s). */
  webhookRetryBaseMs?: number;
  /** Denials in a row after which a session trips its circuit breaker. */
  breakerThreshold?: number;
  /**
   * A directory of this worker's own (kept across its restarts) for the local journal: decisions
   * and holds are durable there before the answer, and shipped to PostgreSQL behind it. Without
   * one, every answer waits for a PostgreSQL transaction.
   */
  journalDir?: string;
  now?: () => Date;
}

const log = (level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}) =>
  console[level === "info" ? "log" : level](JSON.stringify({ level, msg, ...fields }));

/**
 * Starts a decision worker on node:http against `database`: loads and follows the snapshots,
 * opens the budget and the decision log, and serves the API. Resolves once it listens.
 */
export async function serveWorker(options: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const now = options.now ?? (() => new Date());
  const { db } = options.database;
  const store = new SnapshotStore();
  const sync = await startSnapshotSync({
    database: options.database,
    store,
    workerId: options.workerId,
    version: options.version,
    pollMs: options.snapshotPollMs ?? 2_000,
    now,
    log,
  });
  const holdTtlMs = options.holdTtlMs ?? 5 * 60_000;
  const approvalTtlMs = options.approvalTtlMs ?? 15 * 60_000;
  const journalDir = options.journalDir;
  const journalWrites = { holds: new Histogram(DURATION_BUCKETS), decisions: new Histogram(DURATION_BUCKETS) };
  const budget = await openBudget({
    db,
    workerId: options.workerId,
    rider: decisionRider,
    ...(journalDir
      ? {
          journal: {
            dir: journalDir,
            // A pending decision's hold lasts as long as its approval: both may be journaled.
            horizonMs: Math.max(holdTtlMs, approvalTtlMs),
            onLost: (reservationId, reason) => log("error", "a journaled hold did not ship as held", { reservationId, reason }),
            onWrite: (seconds) => journalWrites.holds.observe(seconds),
          },
        }
      : {}),
  });
  const decisionLog = await openDecisionLog(db, {
    ...(journalDir ? { journalDir, onJournalWrite: (seconds: number) => journalWrites.decisions.observe(seconds) } : {}),
    onLost: (entry, reason) => log("error", "a journaled decision did not ship", { decisionId: entry.id, requestId: entry.requestId, reason }),
  });
  const prefetching = startLeasePrefetch({ store, budget, now, log });
  const merchants = await openMerchantHistory(db, { refreshMs: 5_000, log });
  const usage = new WorkerUsage(() => now().getTime(), merchants);
  // Before the waiters: a long-poll woken by an approval must find its agent's grant known.
  const standingGrants = await openStandingGrants(options.database, now);
  const approvalWaiters = await openApprovalWaiters(options.database);
  const breaker = await openSessionBreaker(options.database, { threshold: options.breakerThreshold ?? 20, now });
  const stopApprovalExpiry = startApprovalExpiry({ db, budget, now, intervalMs: 1_000 });
  const stopWebhooks = startWebhookDispatcher({ db, now, intervalMs: 500, retryBaseMs: options.webhookRetryBaseMs ?? 1_000, maxAttempts: 10, log });
  const pruning = setInterval(() => usage.prune(), 60_000);
  pruning.unref();
  const service = createDecisionService({
    db,
    store,
    budget,
    log: decisionLog,
    usage,
    merchants,
    approvalWaiters,
    standingGrants,
    breaker,
    workerId: options.workerId,
    now,
    holdTtlMs,
    approvalTtlMs,
    maxStalenessMs: options.maxStalenessMs ?? 30_000,
  });
  const gc = watchGcPauses();
  const core = createWorkerCore({
    workerId: options.workerId,
    version: options.version,
    now,
    service,
    snapshots: () => servedSnapshots(store),
    journals: () =>
      journalDir
        ? [
            { journal: "holds", records: budget.journalLag(), writeSeconds: journalWrites.holds },
            { journal: "decisions", records: decisionLog.lag(), writeSeconds: journalWrites.decisions },
          ]
        : [],
    gcPauses: () => gc.pauses,
    log,
  });
  const server = createNodeServer(core);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  log("info", "worker started", { workerId: options.workerId, version: options.version, url });
  return {
    url,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(pruning);
      prefetching.stop();
      await stopApprovalExpiry();
      await stopWebhooks();
      await decisionLog.drained();
      await merchants.close();
      await approvalWaiters.close();
      await standingGrants.close();
      await breaker.close();
      await budget.close();
      await sync.stop();
      gc.stop();
      log("info", "worker stopped", { workerId: options.workerId });
    },
  };
}
