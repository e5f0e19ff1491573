import { parseArgs } from "node:util";
import { connect, consoleOptions, type ConsoleClient } from "./console-client";
import type { Io } from "./io";
import { required, UsageError } from "./usage";

/** `tollgate agents create --name <name> [--owner <email>] [--tags a,b] [--description <text>]`: prints the agent as JSON. */
export async function createAgent(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...consoleOptions, name: { type: "string" }, owner: { type: "string" }, tags: { type: "string" }, description: { type: "string" } },
  });
  const tags = (values.tags ?? "").split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
  const agent = await connect(values, io).agents.create.mutate({
    name: required(values.name, "--name"),
    ...(values.owner ? { owner: values.owner } : {}),
    ...(values.description ? { description: values.description } : {}),
    tags,
  });
  io.out(JSON.stringify(agent, null, 2));
  return 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id of the agent named or identified by `agent`. */
async function agentIdOf(client: ConsoleClient, agent: string): Promise<string> {
  if (UUID.test(agent)) return agent;
  const found = await client.agents.list.query({ search: agent, pageSize: 100 });
  const match = found.items.find((item) => item.name === agent);
  if (!match) throw new UsageError(`--agent: no agent is named ${agent}`);
  return match.id;
}

/** `tollgate keys create --agent <name or id> [--name <name>] [--expires <ISO time>]`: prints the key, this once. */
export async function createKey(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { ...consoleOptions, agent: { type: "string" }, name: { type: "string" }, expires: { type: "string" } } });
  const client = connect(values, io);
  const agentId = await agentIdOf(client, required(values.agent, "--agent"));
  const key = await client.agents.keys.create.mutate({
    agentId,
    ...(values.name ? { name: values.name } : {}),
    ...(values.expires ? { expiresAt: values.expires } : {}),
  });
  io.out(JSON.stringify({ id: key.id, agentId, name: key.name, prefix: key.prefix, expiresAt: key.expiresAt, key: key.key }, null, 2));
  io.err("Store the key now: the console keeps only its hash and will not show it again.");
  return 0;
}
