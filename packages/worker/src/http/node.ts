import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { internalError, MAX_BODY_BYTES, parseJsonBody, type WorkerCore, type WorkerResponse } from "../core";

/** Reads at most one byte past the limit, so an oversized body is refused without buffering it all. */
function readBody(request: IncomingMessage): Promise<{ text: string; byteLength: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let byteLength = 0;
    request.on("data", (chunk: Buffer) => {
      byteLength += chunk.length;
      if (byteLength > MAX_BODY_BYTES) {
        request.pause();
        resolve({ text: "", byteLength });
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve({ text: Buffer.concat(chunks).toString("utf8"), byteLength }));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, result: WorkerResponse): void {
  const payload = typeof result.body === "string" ? result.body : JSON.stringify(result.body);
  response.writeHead(result.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...result.headers,
  });
  response.end(payload);
}

/** Serves the core on node:http, the fast path: no framework between the socket and the core. */
export function createNodeServer(core: WorkerCore): Server {
  return createServer(async (request, response) => {
    try {
      const method = request.method ?? "GET";
      const raw = method === "GET" || method === "HEAD" ? { text: "", byteLength: 0 } : await readBody(request);
      const parsed = parseJsonBody(raw.text, raw.byteLength);
      if ("refusal" in parsed) {
        response.setHeader("connection", "close");
        send(response, parsed.refusal);
        return;
      }
      const url = new URL(request.url ?? "/", "http://worker");
      const headers = request.headers as Record<string, string | undefined>;
      send(response, await core({ method, path: url.pathname, query: url.search.slice(1), headers, body: parsed.body }));
    } catch {
      send(response, internalError());
    }
  });
}
