import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Stage } from "./script";

/** An MCP client (the agent) calls the shop through the gateway: the charge goes through, the refund is refused. */
export async function gateway(agent: Client, { say }: Pick<Stage, "say">) {
  const outcomes: Record<string, { isError: boolean; text: string }> = {};
  for (const [name, args] of [
    ["charge", { cents: 1_250, customer: "cus_42" }],
    ["refund", { cents: 1_250, customer: "cus_42" }],
  ] as const) {
    const result = (await agent.callTool({ name, arguments: args })) as CallToolResult;
    const text = result.content.map((part) => (part.type === "text" ? part.text : `[${part.type}]`)).join(" ");
    say(`  ${name}: ${result.isError ? "error" : "ok"} — ${text}`);
    outcomes[name] = { isError: result.isError === true, text };
  }
  return outcomes;
}
