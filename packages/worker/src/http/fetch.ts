import { internalError, parseJsonBody, type WorkerCore, type WorkerResponse } from "../core";

const toResponse = (result: WorkerResponse) =>
  new Response(typeof result.body === "string" ? result.body : JSON.stringify(result.body), {
    status: result.status,
    headers: { "content-type": "application/json", ...result.headers },
  });

/** Serves the core as a web-standard `fetch(Request) → Response`, for edge runtimes. */
export function createFetchHandler(core: WorkerCore): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const bytes = request.method === "GET" || request.method === "HEAD" ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
      const parsed = parseJsonBody(new TextDecoder().decode(bytes), bytes.byteLength);
      if ("refusal" in parsed) return toResponse(parsed.refusal);
      const headers = Object.fromEntries(request.headers);
      const url = new URL(request.url);
      return toResponse(await core({ method: request.method, path: url.pathname, query: url.search.slice(1), headers, body: parsed.body }));
    } catch {
      return toResponse(internalError());
    }
  };
}
