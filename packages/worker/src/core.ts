import type { DecisionService } from "./decide/service";
import type { GcPauses } from "./observe/gc-pauses";
import { createWorkerMetrics, METRICS_CONTENT_TYPE, UNMATCHED_ROUTE, type DecisionOutcome, type JournalStats, type ServedSnapshot } from "./observe/metrics";
import { buildOpenApiDocument } from "./observe/openapi";

/**
 * What the worker answers with: a status and a body. Adapters turn it into HTTP: a string body
 * is sent as it is (its content type in `headers`), anything else as JSON.
 */
export interface WorkerResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A parsed request, independent of the HTTP stack it arrived on. */
export interface WorkerRequest {
  method: string;
  path: string;
  /** The query string without its `?`; empty when there is none. */
  query: string;
  headers: Record<string, string | undefined>;
  body: unknown;
}

export interface WorkerConfig {
  /** Identifies this process in the decision log and on the console's workers page. */
  workerId: string;
  version: string;
  now: () => Date;
  /** The decision API; absent until the worker has a database and snapshots behind it. */
  service?: DecisionService;
  /** The snapshots served, for /healthz and the snapshot gauges of /metrics. */
  snapshots?: () => Iterable<ServedSnapshot>;
  /** The journals' lag and write times, for /metrics. */
  journals?: () => Iterable<JournalStats>;
  /** The main thread's garbage-collection pauses, for /metrics. */
  gcPauses?: () => Iterable<GcPauses>;
  /** Where the core writes one JSON line per 4xx/5xx response; nothing is logged without it. */
  log?: WorkerLog;
}

/** A structured logger: one JSON line of `{ level, msg, ...fields }`. */
export type WorkerLog = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

/** Largest request body accepted; decision requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The contract's error shape: `{"error": {"code", "message"}}`, the message naming the field. */
export const errorResponse = (status: number, code: string, message: string): WorkerResponse => ({
  status,
  body: { error: { code, message } },
});

/** Turns a raw body into JSON, or the 4xx the client gets for it. Shared by every adapter. */
export function parseJsonBody(text: string, byteLength: number): { body: unknown } | { refusal: WorkerResponse } {
  if (byteLength > MAX_BODY_BYTES) {
    return { refusal: errorResponse(413, "body_too_large", `body: larger than ${MAX_BODY_BYTES} bytes`) };
  }
  if (text === "") return { body: undefined };
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { refusal: errorResponse(400, "malformed_json", "body: not valid JSON") };
  }
}

/** What a client sees when the core itself fails: nothing was decided, so nothing was held. */
export const internalError = (): WorkerResponse =>
  errorResponse(500, "internal", "the worker failed to decide; nothing was held");

/**
 * The decision worker's core: a function from a parsed request to a response. No I/O of its
 * own, so the node:http and fetch adapters stay a few lines each. It counts every response by
 * route and status, times the decisions route, and logs each 4xx/5xx through `config.log`.
 */
export function createWorkerCore(config: WorkerConfig) {
  const startedAt = config.now();
  const { service } = config;
  // Built once: neither changes while the worker runs.
  const openApiDocument = buildOpenApiDocument({ version: config.version });
  const metricsHeaders = { "content-type": METRICS_CONTENT_TYPE };

  const specs: RouteSpec[] = [
    {
      name: "/healthz",
      method: "GET",
      pattern: /^\/healthz$/,
      handle: async () => ({
        status: 200,
        body: {
          status: "ok",
          workerId: config.workerId,
          version: config.version,
          startedAt: startedAt.toISOString(),
          uptimeSeconds: Math.floor((config.now().getTime() - startedAt.getTime()) / 1000),
          snapshots: Object.fromEntries(Array.from(config.snapshots?.() ?? [], (served) => [served.organizationId, served.version])),
        },
      }),
    },
    {
      name: "/metrics",
      method: "GET",
      pattern: /^\/metrics$/,
      handle: async () => ({ status: 200, body: metrics.render(config.now().getTime()), headers: metricsHeaders }),
    },
    { name: "/openapi.json", method: "GET", pattern: /^\/openapi\.json$/, handle: async () => ({ status: 200, body: openApiDocument }) },
    {
      name: DECISIONS_ROUTE,
      method: "POST",
      pattern: /^\/v1\/decisions$/,
      handle: (request) => service!.decisions(request),
      needsService: true,
    },
    {
      name: "/v1/reservations/{id}/commit",
      method: "POST",
      pattern: /^\/v1\/reservations\/([^/]+)\/commit$/,
      handle: (request, [id]) => service!.commit(request, id!),
      needsService: true,
    },
    {
      name: "/v1/reservations/{id}/release",
      method: "POST",
      pattern: /^\/v1\/reservations\/([^/]+)\/release$/,
      handle: (request, [id]) => service!.release(request, id!),
      needsService: true,
    },
    {
      name: "/v1/organizations/{id}/receipt-keys",
      method: "GET",
      pattern: /^\/v1\/organizations\/([^/]+)\/receipt-keys$/,
      handle: async (_request, [id]) => service!.receiptKeys(id!),
      needsService: true,
    },
    {
      name: "/v1/approvals/{id}",
      method: "GET",
      pattern: /^\/v1\/approvals\/([^/]+)$/,
      handle: (request, [id]) => service!.approval(request, id!, new URLSearchParams(request.query).get("waitMs")),
      needsService: true,
    },
  ];

  const metrics = createWorkerMetrics({ routes: specs.map((spec) => spec.name), snapshots: config.snapshots, journals: config.journals, gcPauses: config.gcPauses });
  // Label sets resolved once, so recording a response is an array write.
  const routes = specs.map((spec) => ({ ...spec, responses: metrics.route(spec.name) }));
  const unmatched = metrics.route(UNMATCHED_ROUTE);

  async function dispatch(request: WorkerRequest, route: (typeof routes)[number] | undefined, params: string[] | null): Promise<WorkerResponse> {
    if (!route) return errorResponse(404, "not_found", `no route for ${request.method} ${request.path}`);
    if (!params) return errorResponse(405, "method_not_allowed", `${request.method} ${request.path}: method not allowed`);
    if (route.needsService && !service) return errorResponse(503, "not_ready", "this worker has no database behind it yet");
    return route.handle(request, params);
  }

  return async function handle(request: WorkerRequest): Promise<WorkerResponse> {
    const started = performance.now();
    // The route whose path matched (the last one, as before), and its params if the method matched too.
    let route: (typeof routes)[number] | undefined;
    let params: string[] | null = null;
    for (const candidate of routes) {
      const match = candidate.pattern.exec(request.path);
      if (!match) continue;
      route = candidate;
      if (candidate.method !== request.method) continue;
      params = match.slice(1);
      break;
    }

    let response: WorkerResponse;
    let failure: string | undefined;
    try {
      response = await dispatch(request, route, params && params.map(decodeURIComponent));
    } catch (error) {
      failure = String(error);
      response = internalError();
    }

    (route?.responses ?? unmatched).count(response.status);
    if (route?.name === DECISIONS_ROUTE && params) {
      const seconds = (performance.now() - started) / 1000;
      const outcome = outcomeOf(response.body);
      if (outcome) metrics.decision(outcome, seconds);
      else metrics.observeDuration(seconds);
    }
    if (response.status >= 400) {
      config.log?.(response.status >= 500 ? "error" : "warn", response.status >= 500 ? "request failed" : "request refused", {
        route: route?.name ?? UNMATCHED_ROUTE,
        status: response.status,
        code: errorCodeOf(response.body),
        ...(failure === undefined ? {} : { error: failure }),
      });
    }
    return response;
  };
}

const DECISIONS_ROUTE = "/v1/decisions";

/** The outcome a decisions-route body carries, fail-closed 503 denies included; null for errors. */
function outcomeOf(body: unknown): DecisionOutcome | null {
  const decision = typeof body === "object" && body !== null ? (body as { decision?: unknown }).decision : undefined;
  return decision === "allow" || decision === "deny" || decision === "pending" ? decision : null;
}

function errorCodeOf(body: unknown): string | null {
  const error = typeof body === "object" && body !== null ? (body as { error?: { code?: unknown } }).error : undefined;
  return typeof error?.code === "string" ? error.code : null;
}

interface RouteSpec {
  /** The path template, used as the route label in metrics and logs. */
  name: string;
  method: string;
  pattern: RegExp;
  handle: (request: WorkerRequest, params: string[]) => Promise<WorkerResponse>;
  needsService?: boolean;
}

export type WorkerCore = ReturnType<typeof createWorkerCore>;
