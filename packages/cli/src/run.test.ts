import { signingKeys, type Database } from "@tollgate/db";
import { openTestDatabase } from "@tollgate/db/testing";
import { startTestWorker, type TestWorker } from "@tollgate/worker/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Io } from "./run";

const policy = { name: "tools", selector: { all: true }, grants: [{ id: "search", actions: ["search.*"] }] };

/** Runs a command line and collects what it printed. */
async function tollgate(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line), env, now: () => new Date() };
  const code = await run(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("the tollgate command line", () => {
  let database: Database;
  let worker: TestWorker;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
    worker = await startTestWorker(database, { policy });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.close();
  });

  it("asks the worker and exits 0 on allow, 1 on deny", async () => {
    const env = { TOLLGATE_URL: worker.url, TOLLGATE_KEY: worker.key };
    const allowed = await tollgate(["decide", "--action", "search.web", "--amount", "3", "--currency", "USD"], env);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.out)).toMatchObject({ decision: "allow" });
    const denied = await tollgate(["decide", "--action", "stripe.charges.create", "--url", worker.url, "--key", worker.key]);
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.out).reasons[0].code).toBe("no_matching_grant");
  });

  it("verifies a receipt offline with the organization's public key", async () => {
    const allowed = await tollgate(["decide", "--action", "search.web", "--url", worker.url, "--key", worker.key]);
    const receipt = JSON.parse(allowed.out).receipt as string;
    const [key] = await database.db
      .select()
      .from(signingKeys)
      .where(and(eq(signingKeys.organizationId, worker.organizationId), eq(signingKeys.purpose, "receipt")));
    const valid = await tollgate(["receipt", "verify", receipt, "--public-key", `${key!.id}=${key!.publicKey}`]);
    expect(valid.code).toBe(0);
    const forged = await tollgate(["receipt", "verify", `${receipt.slice(0, -4)}AAAA`, "--public-key", `${key!.id}=${key!.publicKey}`]);
    expect(forged.code).toBe(1);
  });

  it("explains a usage error, naming the option, and exits 64", async () => {
    const missing = await tollgate(["decide", "--url", worker.url, "--key", worker.key]);
    expect(missing.code).toBe(64);
    expect(missing.err).toContain("--action: is required");
    const fractional = await tollgate(["decide", "--action", "search.web", "--amount", "1.5", "--currency", "USD"], { TOLLGATE_URL: worker.url, TOLLGATE_KEY: worker.key });
    expect(fractional.err).toContain("--amount: must be a whole number of minor units");
    expect((await tollgate(["frobnicate"])).code).toBe(64);
    const garbage = await tollgate(["decide", "--action", "search.web", "--url", "not a url", "--key", worker.key]);
    expect(garbage).toMatchObject({ code: 64 });
    expect(garbage.err).toContain("url: must be the decision worker's URL");
  });

  it("reports a refused key and exits 69", async () => {
    const refused = await tollgate(["decide", "--action", "search.web", "--url", worker.url, "--key", "tg_AAAAAAAA_" + "A".repeat(40)]);
    expect(refused).toMatchObject({ code: 69 });
    expect(refused.err).toContain("key_unknown");
  });
});
