#!/usr/bin/env -S node --import tsx
// tollgate-mcp-gateway --config gateway.yaml: an MCP server on stdio, in front of the configured upstream.
// stdout carries the protocol, so everything human goes to stderr.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createTollgate } from "@tollgate/sdk";
import { readGatewayEnv } from "./env";
import { createGateway, connectUpstream, parseGatewayConfig } from "./index";

try {
  const { values } = parseArgs({ options: { config: { type: "string" } } });
  if (!values.config) throw new Error("--config: is required (usage: tollgate-mcp-gateway --config gateway.yaml)");
  const config = parseGatewayConfig(readFileSync(values.config, "utf8"));
  const env = readGatewayEnv();
  const url = config.tollgate.url ?? env.TOLLGATE_URL;
  if (!url) throw new Error("tollgate.url: is required in the config, or set TOLLGATE_URL");
  const upstream = await connectUpstream(config.upstream);
  const sessionId = config.sessionId ?? `mcp-${crypto.randomUUID()}`;
  const gateway = createGateway({ gate: createTollgate({ url, key: env.TOLLGATE_KEY }), upstream, config, sessionId });
  await gateway.connect(new StdioServerTransport());
  console.error(`tollgate-mcp-gateway: gating ${Object.keys(config.tools).length} mapped tools of the upstream through ${url} (session ${sessionId})`);
} catch (error) {
  console.error(`tollgate-mcp-gateway: ${(error as Error).message}`);
  process.exitCode = 1;
}
