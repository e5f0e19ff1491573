import type { Database } from "@tollgate/db";
import { testDrivers } from "@tollgate/db/testing";
import type { TestWorker } from "@tollgate/worker/testing";
import { tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { TollgateDeniedError, type Tollgate } from "../index";
import { latestReservation, startSdkWorker, stopSdkWorker } from "../test-support";
import { guardTools } from "./index";

const policy = { name: "research", selector: { all: true }, grants: [{ id: "search", actions: ["serpapi.*"] }], limits: [{ id: "daily", period: "day", amount: 10_000, currency: "USD" }] };
const execution = { toolCallId: "call-1", messages: [], context: {} };

describe.each(testDrivers)("AI SDK tools guarded by a real worker on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let gate: Tollgate;
  const calls: string[] = [];

  const tools = {
    search: tool({
      description: "Searches the web",
      inputSchema: z.object({ query: z.string(), pages: z.number().int() }),
      execute: async ({ query }) => {
        calls.push(`search:${query}`);
        return { hits: [`about ${query}`], billedCents: 3 };
      },
    }),
    buy: tool({
      description: "Buys a domain",
      inputSchema: z.object({ domain: z.string() }),
      execute: async ({ domain }) => void calls.push(`buy:${domain}`),
    }),
    clock: tool({ description: "Tells the time", inputSchema: z.object({}), execute: async () => "noon" }),
  };

  beforeAll(async () => ({ database, worker, gate } = await startSdkWorker(driver, policy)));
  afterAll(() => stopSdkWorker(database, worker));

  const guarded = () =>
    guardTools(
      gate,
      tools,
      {
        search: {
          action: "serpapi.search",
          amount: (input) => ({ amount: 2 * input.pages, currency: "USD" }),
          merchant: "serpapi",
          cost: (output) => output.billedCents,
        },
        buy: { action: "namecheap.domains.register", amount: { amount: 1_200, currency: "USD" }, merchant: "namecheap" },
        clock: "free",
      },
      { sessionId: (options) => `run-${options.toolCallId}` },
    );

  it("runs an allowed tool and commits what its output says it cost", async () => {
    const output = await guarded().search.execute!({ query: "tollgate", pages: 5 }, execution);
    expect(output).toEqual({ hits: ["about tollgate"], billedCents: 3 });
    expect(calls).toContain("search:tollgate");
    expect(await latestReservation(database, worker)).toMatchObject({ amount: 10, status: "committed", committedAmount: 3 });
  });

  it("throws a typed deny the model reads as the tool's error, without running the tool", async () => {
    const caught = await Promise.resolve(guarded().buy.execute!({ domain: "example.com" }, execution)).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(TollgateDeniedError);
    expect((caught as Error).message).toMatch(/namecheap\.domains\.register denied: no_matching_grant/);
    expect(calls).not.toContain("buy:example.com");
  });

  it("leaves a tool mapped as free alone", async () => {
    expect(guarded().clock).toBe(tools.clock);
  });

  it("refuses a tool set with an unmapped tool", () => {
    expect(() => guardTools(gate, tools, { clock: "free" } as never, { sessionId: "s" })).toThrow('mapping.search: is required (a gate, or "free" to run it unasked)');
  });
});
