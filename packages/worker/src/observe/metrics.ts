/**
 * The worker's Prometheus metrics, kept in typed arrays and rendered as text exposition format
 * 0.0.4 on scrape. Recording is a few array writes: label sets are fixed when the metrics are
 * created, so the hot path builds no strings and allocates nothing.
 */

import type { GcPauses } from "./gc-pauses";
import { Histogram } from "./histogram";

/** Content type of the text exposition format, as Prometheus expects it. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Upper bounds (seconds) of the latency histograms (decisions, journal writes): sub-millisecond to 100 ms; +Inf is implied. */
export const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] as const;

export type DecisionOutcome = "allow" | "deny" | "pending";

const OUTCOMES: readonly DecisionOutcome[] = ["allow", "deny", "pending"];

/** The route label of a request that matched no route, so scanners cannot grow the label set. */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * A journal as its metrics see it: which one, how many records it holds that have not reached
 * PostgreSQL, and how long its durable writes took (an answer waits for one).
 */
export interface JournalStats {
  journal: string;
  records: number;
  writeSeconds: Histogram;
}

/** A snapshot as the gauges see it: which organization, which version, and when it was issued (ISO 8601). */
export interface ServedSnapshot {
  organizationId: string;
  version: number;
  issuedAt: string;
}

export interface WorkerMetricsOptions {
  /** Route labels (path templates such as `/v1/reservations/{id}/commit`); `unmatched` is added. */
  routes: readonly string[];
  /** The snapshots served, read at scrape time for the version and age gauges. */
  snapshots?: () => Iterable<ServedSnapshot>;
  /** The worker's journals, read at scrape time (none without a journal). */
  journals?: () => Iterable<JournalStats>;
  /** The main thread's garbage-collection pauses by kind (watchGcPauses), read at scrape time. */
  gcPauses?: () => Iterable<GcPauses>;
}

// Statuses are three digits, so one slot per possible status avoids a map lookup per request.
const STATUS_SLOTS = 600;

/**
 * Creates the worker's metrics. `route(label)` hands out a counter bound to one route label, so
 * the core resolves labels once at startup; `render(nowMs)` writes the exposition text.
 *
 * @example
 * const metrics = createWorkerMetrics({ routes: ["/healthz"] });
 * const healthz = metrics.route("/healthz");
 * healthz.count(200);
 * metrics.render(Date.now()); // "# HELP tollgate_http_requests_total …"
 */
export function createWorkerMetrics(options: WorkerMetricsOptions) {
  const routeLabels = [...new Set([...options.routes, UNMATCHED_ROUTE])];
  const statusCounts = routeLabels.map(() => new Float64Array(STATUS_SLOTS));
  const outcomeCounts = new Float64Array(OUTCOMES.length);
  const durations = new Histogram(DURATION_BUCKETS);

  /** A counter of responses for one route, by status. */
  function route(label: string) {
    const index = routeLabels.indexOf(label);
    if (index < 0) throw new Error(`route ${JSON.stringify(label)}: not one of the routes the metrics were created with`);
    const counts = statusCounts[index]!;
    return {
      count(status: number): void {
        if (status >= 0 && status < STATUS_SLOTS) counts[status]! += 1;
      },
    };
  }

  /** Records one decision a client received and how long the route took to answer it. */
  function decision(outcome: DecisionOutcome, seconds: number): void {
    outcomeCounts[outcome === "allow" ? 0 : outcome === "deny" ? 1 : 2]! += 1;
    observeDuration(seconds);
  }

  /** Records the time the decisions route took, for a request that got no decision (a refusal). */
  function observeDuration(seconds: number): void {
    durations.observe(seconds);
  }

  function render(nowMs: number): string {
    const lines: string[] = [];
    const family = (name: string, type: "counter" | "gauge" | "histogram", help: string) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };

    family("tollgate_decisions_total", "counter", "Decisions answered to clients, by outcome.");
    OUTCOMES.forEach((outcome, index) => lines.push(`tollgate_decisions_total{outcome="${outcome}"} ${outcomeCounts[index]}`));

    family("tollgate_decision_duration_seconds", "histogram", "Time to answer POST /v1/decisions, refusals included.");
    lines.push(...durations.samples("tollgate_decision_duration_seconds"));

    family("tollgate_http_requests_total", "counter", "HTTP responses the worker core gave, by route and status.");
    routeLabels.forEach((label, index) => {
      const counts = statusCounts[index]!;
      for (let status = 0; status < STATUS_SLOTS; status++) {
        if (counts[status]! > 0) lines.push(`tollgate_http_requests_total{route="${escapeLabel(label)}",status="${status}"} ${counts[status]}`);
      }
    });

    const served = [...(options.snapshots?.() ?? [])];
    family("tollgate_snapshot_version", "gauge", "Version of the snapshot served, per organization.");
    for (const snapshot of served) {
      lines.push(`tollgate_snapshot_version{organization="${escapeLabel(snapshot.organizationId)}"} ${snapshot.version}`);
    }
    family("tollgate_snapshot_age_seconds", "gauge", "Seconds since the snapshot served was issued, per organization.");
    for (const snapshot of served) {
      const age = (nowMs - Date.parse(snapshot.issuedAt)) / 1000;
      lines.push(`tollgate_snapshot_age_seconds{organization="${escapeLabel(snapshot.organizationId)}"} ${formatValue(age)}`);
    }
    const journals = [...(options.journals?.() ?? [])];
    family("tollgate_journal_lag_records", "gauge", "Records durable in the worker's local journal that have not reached PostgreSQL yet.");
    for (const { journal, records } of journals) lines.push(`tollgate_journal_lag_records{journal="${escapeLabel(journal)}"} ${records}`);
    family("tollgate_journal_write_seconds", "histogram", "Durable writes of the worker's local journal, each of which the event loop waits for.");
    for (const { journal, writeSeconds } of journals) lines.push(...writeSeconds.samples("tollgate_journal_write_seconds", `journal="${escapeLabel(journal)}"`));
    family("tollgate_gc_pause_seconds", "histogram", "Garbage-collection pauses of the worker's main thread, by kind; each stops every request in flight.");
    for (const { kind, seconds } of options.gcPauses?.() ?? []) lines.push(...seconds.samples("tollgate_gc_pause_seconds", `kind="${kind}"`));

    return `${lines.join("\n")}\n`;
  }

  return { route, decision, observeDuration, render };
}

/** Label values escape backslash, double quote and newline (exposition format 0.0.4). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

// An unparseable issuedAt must not break the scrape; Prometheus reads "NaN".
const formatValue = (value: number) => (Number.isNaN(value) ? "NaN" : String(value));

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
export type RouteCounter = ReturnType<WorkerMetrics["route"]>;
