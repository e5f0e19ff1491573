import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolRequest, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { TollgateDeniedError, TollgateUnavailableError, type Tollgate } from "@tollgate/sdk";
import type { GatewayConfig } from "./config";
import { ArgumentError, guardOptionsFor } from "./gate-call";
import { GATEWAY_VERSION } from "./version";

/** Where the gateway hands the decision receipt to the upstream tool, which may verify it offline. */
export const RECEIPT_META_KEY = "dev.tollgate/receipt";

/** The upstream tool answered with an error: thrown inside the guard so its hold is released. */
class UpstreamToolError extends Error {
  constructor(readonly result: CallToolResult) {
    super("the upstream tool returned an error");
  }
}

/** A refusal as a tool result the agent reads: the call was not made. */
const refusal = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

export interface GatewayOptions {
  gate: Tollgate;
  /** A connected client of the upstream MCP server. */
  upstream: Client;
  config: GatewayConfig;
  /** The session calls count against when neither the config nor the call names one. */
  sessionId: string;
}

/**
 * An MCP server re-exposing the upstream server's tools, asking Tollgate before each call: an
 * allowed call is forwarded and its hold committed, an upstream error releases it, and a deny
 * comes back as an `isError` result naming the reason codes. Unmapped tools are refused unless
 * the config says `unmapped: passthrough`.
 */
export function createGateway({ gate, upstream, config, sessionId }: GatewayOptions): Server {
  // The low-level Server, not McpServer: a proxy forwards tool schemas it does not know as zod.
  const server = new Server({ name: "tollgate-mcp-gateway", version: GATEWAY_VERSION }, { capabilities: { tools: {} } });

  const forward = async (params: CallToolRequest["params"]) => (await upstream.callTool(params)) as CallToolResult;

  async function gated(params: CallToolRequest["params"]): Promise<CallToolResult> {
    const mapping = config.tools[params.name] ?? (config.unmapped === "passthrough" ? "passthrough" : undefined);
    if (mapping === undefined) {
      return refusal(`Tollgate refused ${params.name}: the gateway has no mapping for this tool (unmapped tools are denied). The call was not made.`);
    }
    if (mapping === "passthrough") return forward(params);
    try {
      const options = { ...guardOptionsFor(mapping, params.arguments ?? {}, config.sessionId ?? sessionId), approvalTimeoutMs: config.approvalTimeoutMs };
      return await gate.guard(
        mapping.action,
        async (ctx) => {
          const result = await forward({ ...params, _meta: { ...params._meta, ...(ctx.receipt ? { [RECEIPT_META_KEY]: ctx.receipt } : {}) } });
          if (result.isError) throw new UpstreamToolError(result);
          return result;
        },
        options,
      );
    } catch (error) {
      if (error instanceof UpstreamToolError) return error.result;
      if (error instanceof TollgateDeniedError) return refusal(`Tollgate refused ${params.name}: ${error.message}. The call was not made.`);
      if (error instanceof TollgateUnavailableError) return refusal(`Tollgate is unavailable, so ${params.name} was not called (fail closed): ${error.message}`);
      if (error instanceof ArgumentError) return refusal(`Tollgate could not price ${params.name}: ${error.message}. The call was not made.`);
      throw error;
    }
  }

  server.setRequestHandler(ListToolsRequestSchema, (request) => upstream.listTools(request.params));
  server.setRequestHandler(CallToolRequestSchema, (request) => gated(request.params));
  return server;
}
