import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { UpstreamConfig } from "./config";
import { GATEWAY_VERSION } from "./version";

/** Connects to the upstream MCP server: a child process over stdio, or a streamable HTTP endpoint. */
export async function connectUpstream(upstream: UpstreamConfig): Promise<Client> {
  const client = new Client({ name: "tollgate-mcp-gateway", version: GATEWAY_VERSION });
  const transport =
    "command" in upstream
      ? new StdioClientTransport({ command: upstream.command, args: upstream.args, env: upstream.env, cwd: upstream.cwd, stderr: "inherit" })
      : new StreamableHTTPClientTransport(new URL(upstream.url), { requestInit: { headers: upstream.headers } });
  await client.connect(transport);
  return client;
}
