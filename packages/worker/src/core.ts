import type { DecisionService } from "./decide/service";

/** What the worker answers with: a status and a JSON body. Adapters turn it into HTTP. */
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
  /** `{ organizationId: version }` of the snapshots served, for /healthz. */
  snapshotVersions?: () => Record<string, number>;
}

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
 * own, so the node:http and fetch adapters stay a few lines each.
 */
export function createWorkerCore(config: WorkerConfig) {
  const startedAt = config.now();
  const { service } = config;

  const routes: Route[] = [
    {
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
          snapshots: config.snapshotVersions?.() ?? {},
        },
      }),
    },
    { method: "POST", pattern: /^\/v1\/decisions$/, handle: (request) => service!.decisions(request), needsService: true },
    {
      method: "POST",
      pattern: /^\/v1\/reservations\/([^/]+)\/commit$/,
      handle: (request, [id]) => service!.commit(request, id!),
      needsService: true,
    },
    {
      method: "POST",
      pattern: /^\/v1\/reservations\/([^/]+)\/release$/,
      handle: (request, [id]) => service!.release(request, id!),
      needsService: true,
    },
    {
      method: "GET",
      pattern: /^\/v1\/approvals\/([^/]+)$/,
      handle: (request, [id]) => service!.approval(request, id!, new URLSearchParams(request.query).get("waitMs")),
      needsService: true,
    },
  ];

  return async function handle(request: WorkerRequest): Promise<WorkerResponse> {
    let pathMatched = false;
    for (const route of routes) {
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== request.method) continue;
      if (route.needsService && !service) return errorResponse(503, "not_ready", "this worker has no database behind it yet");
      return route.handle(request, match.slice(1).map(decodeURIComponent));
    }
    if (pathMatched) return errorResponse(405, "method_not_allowed", `${request.method} ${request.path}: method not allowed`);
    return errorResponse(404, "not_found", `no route for ${request.method} ${request.path}`);
  };
}

interface Route {
  method: string;
  pattern: RegExp;
  handle: (request: WorkerRequest, params: string[]) => Promise<WorkerResponse>;
  needsService?: boolean;
}

export type WorkerCore = ReturnType<typeof createWorkerCore>;
