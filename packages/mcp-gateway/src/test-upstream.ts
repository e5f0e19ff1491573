// A real upstream MCP server for this package's tests: streamable HTTP on loopback.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export interface TestUpstream {
  url: string;
  /** Every tool invocation the upstream received, with the receipt the gateway passed along. */
  invocations: { tool: string; args: Record<string, unknown>; receipt?: unknown }[];
  stop: () => Promise<void>;
}

export async function startTestUpstream(): Promise<TestUpstream> {
  const invocations: TestUpstream["invocations"] = [];
  function mcpServer() {
    const server = new McpServer({ name: "shop", version: "1.0.0" });
    server.registerTool("charge", { description: "Charges a card", inputSchema: { cents: z.number().int(), payee: z.string() } }, (args, extra) => {
      invocations.push({ tool: "charge", args, receipt: extra._meta?.["dev.tollgate/receipt"] });
      return { content: [{ type: "text", text: `charged ${args.cents} to ${args.payee}` }] };
    });
    server.registerTool("refund", { description: "Refunds a charge", inputSchema: { cents: z.number().int() } }, (args) => {
      invocations.push({ tool: "refund", args });
      return { isError: true, content: [{ type: "text", text: "the card network is down" }] };
    });
    server.registerTool("weather", { description: "Free weather" }, () => {
      invocations.push({ tool: "weather", args: {} });
      return { content: [{ type: "text", text: "sunny" }] };
    });
    server.registerTool("wire", { description: "Wires money (never mapped)", inputSchema: { cents: z.number().int() } }, (args) => {
      invocations.push({ tool: "wire", args });
      return { content: [{ type: "text", text: "wired" }] };
    });
    return server;
  }
  // Stateless: a fresh server and transport per request, as the SDK recommends for that mode.
  const http = createServer(async (request, response) => {
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on("close", () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    invocations,
    stop: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
