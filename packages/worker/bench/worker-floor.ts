// The floor of `pnpm bench:worker`: a bare node:http server in its own process that answers a
// POST by reading and parsing the JSON body and sending a JSON answer about the size of the
// worker's allow (with its receipt). Whatever latency this shows is the load generator, the
// loopback and node:http; the worker cannot do better.
// Usage: node --import tsx bench/worker-floor.ts  → prints `listening <port>` once it listens.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

// About the length of a worker allow's compact JWS receipt.
const RECEIPT_LIKE = "x".repeat(560);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    let status = 200;
    let body: string;
    try {
      const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { requestId?: string };
      body = JSON.stringify({
        decision: "allow",
        decisionId: randomUUID(),
        requestId: parsed.requestId ?? null,
        reasons: [],
        policyVersion: 1,
        reservationId: randomUUID(),
        receipt: RECEIPT_LIKE,
      });
    } catch {
      status = 400;
      body = JSON.stringify({ error: { code: "invalid_json", message: "body: not JSON" } });
    }
    response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    response.end(body);
  });
});

server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
