import type { AddressInfo } from "node:net";
import { createWorkerCore } from "./core";
import { createNodeServer } from "./http/node";

export interface ServeOptions {
  host: string;
  port: number;
  workerId: string;
  version: string;
}

/** Starts a decision worker on node:http; resolves once it listens, with its URL and a stop function. */
export async function serveWorker(options: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  const core = createWorkerCore({ workerId: options.workerId, version: options.version, now: () => new Date() });
  const server = createNodeServer(core);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    stop: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
