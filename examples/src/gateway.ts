import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { gateway } from "./agents/gateway";
import { readExampleEnv } from "./env";

// Launches tollgate-mcp-gateway the way an agent's MCP client would, in front of the example shop.
try {
  const env = readExampleEnv();
  const agent = new Client({ name: "example-agent", version: "1.0.0" });
  await agent.connect(
    new StdioClientTransport({
      command: "node_modules/.bin/tollgate-mcp-gateway",
      args: ["--config", "gateway.yaml"],
      env: { PATH: env.PATH, TOLLGATE_URL: env.TOLLGATE_URL, TOLLGATE_KEY: env.TOLLGATE_KEY },
    }),
  );
  console.log("the agent calls the shop through the MCP gateway…");
  await gateway(agent, { say: (line) => console.log(line) });
  await agent.close();
} catch (error) {
  console.error(`\n${(error as Error).name}: ${(error as Error).message}`);
  process.exitCode = 1;
}
