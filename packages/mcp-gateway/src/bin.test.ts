import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Database } from "@tollgate/db";
import { openTestDatabase, testDrivers } from "@tollgate/db/testing";
import { startTestWorker, type TestWorker } from "@tollgate/worker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestUpstream, type TestUpstream } from "./test-upstream";

const policy = { name: "shopping", selector: { all: true }, grants: [{ id: "cards", actions: ["shop.charges.*"] }], limits: [{ id: "daily", period: "day", amount: 10_000, currency: "USD" }] };

describe.each(testDrivers)("tollgate-mcp-gateway as an agent launches it, on %s", (driver) => {
  let database: Database;
  let worker: TestWorker;
  let upstream: TestUpstream;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    worker = await startTestWorker(database, { policy });
    upstream = await startTestUpstream();
  });
  afterAll(async () => {
    await upstream?.stop();
    await worker?.stop();
    await database?.close();
  });

  it("serves the gated tools over stdio from a YAML config", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "tollgate-gateway-")), "gateway.yaml");
    writeFileSync(
      config,
      [
        `upstream: { url: "${upstream.url}" }`,
        "tools:",
        "  charge: { action: shop.charges.create, amount: { argument: cents, currency: USD }, merchant: { argument: payee } }",
        "  weather: passthrough",
      ].join("\n"),
    );
    const agent = new Client({ name: "scripted-agent", version: "1.0.0" });
    await agent.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["--import", "tsx", new URL("./bin.ts", import.meta.url).pathname, "--config", config],
        env: { ...(process.env as Record<string, string>), TOLLGATE_URL: worker.url, TOLLGATE_KEY: worker.key },
        stderr: "ignore",
      }),
    );
    try {
      expect(await agent.callTool({ name: "charge", arguments: { cents: 400, payee: "acme" } })).toMatchObject({ content: [{ text: "charged 400 to acme" }] });
      expect(await agent.callTool({ name: "wire", arguments: { cents: 1 } })).toMatchObject({ isError: true });
      expect(upstream.invocations.map((call) => call.tool)).toEqual(["charge"]);
    } finally {
      await agent.close();
    }
  });
});
