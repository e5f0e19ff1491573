import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { reservations, type Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { createTollgate } from "@tollgate/sdk";
import { startTestWorker, type TestWorker } from "@tollgate/worker/testing";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectUpstream, createGateway, parseGatewayConfig } from "./index";
import { startTestUpstream, type TestUpstream } from "./test-upstream";

const policy = {
  name: "shopping",
  selector: { all: true },
  grants: [{ id: "cards", actions: ["shop.charges.*", "shop.refunds.*"] }],
  caps: [{ id: "per-charge", amount: 5_000, currency: "USD" }],
  limits: [{ id: "daily", period: "day", amount: 100_000, currency: "USD" }],
};

const text = (result: unknown) => (result as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join("");

describe.each(testDrivers)("the MCP gateway in front of a real MCP server and worker on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let upstream: TestUpstream;
  let agent: Client;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    worker = await startTestWorker(database, { policy });
    upstream = await startTestUpstream();
    const config = parseGatewayConfig({
      upstream: { url: upstream.url },
      tools: {
        charge: { action: "shop.charges.create", amount: { argument: "cents", currency: "USD" }, merchant: { argument: "payee" } },
        refund: { action: "shop.refunds.create", amount: { argument: "cents", currency: "USD" } },
        weather: "passthrough",
      },
    });
    const gateway = createGateway({ gate: createTollgate({ url: worker.url, key: worker.key }), upstream: await connectUpstream(config.upstream), config, sessionId: `gw-${driver}` });
    const [agentSide, gatewaySide] = InMemoryTransport.createLinkedPair();
    await gateway.connect(gatewaySide);
    agent = new Client({ name: "scripted-agent", version: "1.0.0" });
    await agent.connect(agentSide);
  });
  beforeEach(() => {
    upstream.invocations.length = 0;
  });
  afterAll(async () => {
    await agent?.close();
    await upstream?.stop();
    await worker?.stop();
    await database?.close();
  });

  const latestHold = async () =>
    (await database.db.select().from(reservations).where(eq(reservations.organizationId, worker.organizationId)).orderBy(desc(reservations.createdAt)).limit(1))[0]!;

  it("re-exposes the upstream server's tools", async () => {
    const { tools } = await agent.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["charge", "refund", "weather", "wire"]);
  });

  it("passes an allowed call through with its receipt and commits the hold", async () => {
    const result = await agent.callTool({ name: "charge", arguments: { cents: 1_250, payee: "acme" } });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe("charged 1250 to acme");
    expect(upstream.invocations).toEqual([{ tool: "charge", args: { cents: 1_250, payee: "acme" }, receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) }]);
    expect(await latestHold()).toMatchObject({ amount: 1_250, status: "committed", committedAmount: 1_250 });
  });

  it("refuses a denied call with the reason codes, without invoking the upstream tool", async () => {
    const result = await agent.callTool({ name: "charge", arguments: { cents: 9_000, payee: "acme" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^Tollgate refused charge: shop\.charges\.create denied: over_per_call_cap/);
    expect(upstream.invocations).toEqual([]);
  });

  it("releases the hold when the upstream tool fails, and returns its error", async () => {
    const result = await agent.callTool({ name: "refund", arguments: { cents: 300 } });
    expect(result).toMatchObject({ isError: true, content: [{ type: "text", text: "the card network is down" }] });
    expect(await latestHold()).toMatchObject({ amount: 300, status: "released" });
  });

  it("refuses a tool the config does not map, and forwards one mapped as passthrough", async () => {
    const refused = await agent.callTool({ name: "wire", arguments: { cents: 1 } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/no mapping for this tool/);
    expect(text(await agent.callTool({ name: "weather", arguments: {} }))).toBe("sunny");
    expect(upstream.invocations.map((call) => call.tool)).toEqual(["weather"]);
  });

  it("refuses a call whose price argument is missing, naming it", async () => {
    const result = await agent.callTool({ name: "refund", arguments: { cents: "lots" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/amount: argument cents must be a whole number of minor units, got "lots"/);
    expect(upstream.invocations).toEqual([]);
  });
});
