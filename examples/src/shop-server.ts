// A stand-in paid MCP server for the gateway example: "charges" and "refunds", over stdio.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "example-shop", version: "1.0.0" });
server.registerTool("charge", { description: "Charges a customer, in cents", inputSchema: { cents: z.number().int(), customer: z.string() } }, ({ cents, customer }) => ({
  content: [{ type: "text", text: `charged ${customer} ${cents} cents` }],
}));
server.registerTool("refund", { description: "Refunds a customer, in cents", inputSchema: { cents: z.number().int(), customer: z.string() } }, ({ cents, customer }) => ({
  content: [{ type: "text", text: `refunded ${customer} ${cents} cents` }],
}));
await server.connect(new StdioServerTransport());
