import { createServer, type Server } from "node:http";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCaller, createContext, handleApiRequest, publishSnapshot } from "@tollgate/api";
import { agents, apiKeys, auditEvents, decisions, delegations, policyVersions, snapshots, type Database, type User } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, publishedPolicyFixture, userFixture } from "@tollgate/db/testing";
import { hashApiKey } from "@tollgate/policy";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, type Io } from "./run";

/**
 * The console's API on loopback, served by the very function the Next.js route handler calls,
 * with no browser session: only an admin API token gets in.
 */
async function startConsole(database: Database): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
    const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
    const request = new Request(`http://127.0.0.1${incoming.url}`, { method: incoming.method, headers, ...(hasBody ? { body: Buffer.concat(chunks) } : {}) });
    const response = await handleApiRequest(request, { endpoint: "/api/trpc", db: database.db, session: async () => null });
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const SEARCH = `policies:
  - name: search
    description: Research agents search the web.
    selector: { tags: [research] }
    grants:
      - id: web
        actions: ["search.*"]
`;

describe("policy as code against a real console on PostgreSQL", () => {
  let database: Database;
  let console: { url: string; close: () => Promise<void> };
  let folder: string;
  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    console = await startConsole(database);
    folder = await mkdtemp(join(tmpdir(), "tollgate-cli-"));
  });
  afterAll(async () => {
    await console?.close();
    await database?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** A fresh organization with an admin, the admin's API token and `tollgate` bound to both. */
  async function organization() {
    const db = database.db;
    const org = await organizationFixture(db);
    const admin = await userFixture(db, org.id, { role: "admin" });
    const as = (user: User) => createCaller(createContext({ db, session: { userId: user.id, organizationId: org.id, role: user.role } }));
    const token = await as(admin).adminTokens.create({ name: "cli" });
    const env = { TOLLGATE_CONSOLE_URL: console.url, TOLLGATE_TOKEN: token.token };
    const tollgate = async (argv: string[], overrides: Record<string, string> = {}) => {
      const out: string[] = [];
      const err: string[] = [];
      const io: Io = { out: (line) => out.push(line), err: (line) => err.push(line), env: { ...env, ...overrides }, now: () => new Date() };
      const code = await run(argv, io);
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    const file = async (name: string, text: string) => {
      const path = join(folder, `${org.id}-${name}`);
      await writeFile(path, text);
      return path;
    };
    const counts = async () => {
      const [versions] = await db.select({ n: count() }).from(policyVersions).where(eq(policyVersions.organizationId, org.id));
      const [published] = await db.select({ n: count() }).from(snapshots).where(eq(snapshots.organizationId, org.id));
      const [audits] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.organizationId, org.id));
      return { versions: versions!.n, snapshots: published!.n, audits: audits!.n };
    };
    return { db, org, admin, as, token, tollgate, file, counts };
  }

  it("applies a file, publishing each policy and one snapshot, then finds nothing left to apply", async () => {
    const { db, org, tollgate, file, counts } = await organization();
    const path = await file("tollgate.yaml", SEARCH);

    const planned = await tollgate(["plan", "-f", path]);
    expect(planned).toMatchObject({ code: 0 });
    expect(planned.out).toContain("policy search: will be created");
    expect(planned.out).toContain('+       - search.*');
    expect(planned.out).toContain("Plan: 1 to create, 0 to update, 0 unchanged.");
    expect(await counts()).toEqual({ versions: 0, snapshots: 0, audits: 1 });

    const applied = await tollgate(["apply", "-f", path]);
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.out).toContain("policy search: created, published v1");
    expect(applied.out).toContain("Published snapshot v1");
    const [version] = await db.select().from(policyVersions).where(eq(policyVersions.organizationId, org.id));
    expect(version).toMatchObject({ version: 1, status: "published", mode: "enforce", document: { name: "search", grants: [{ id: "web", actions: ["search.*"] }] } });
    const [audit] = await db.select().from(auditEvents).where(and(eq(auditEvents.organizationId, org.id), eq(auditEvents.action, "policy.publish")));
    expect(audit).toMatchObject({ before: null, after: { version: 1, status: "published" } });

    expect((await tollgate(["apply", "-f", path])).out).toContain("Nothing to apply");
    expect(await counts()).toEqual({ versions: 1, snapshots: 1, audits: 2 });
  });

  it("plans a stricter policy with its diff and what it would have decided over real decisions", async () => {
    const { db, org, admin, tollgate, file } = await organization();
    const agent = await agentFixture(db, admin, { tags: ["research"] });
    await publishedPolicyFixture(db, org.id, { name: "search", selector: { tags: ["research"] }, grants: [{ id: "web", actions: ["search.*"] }] });
    expect(await publishSnapshot({ db, organizationId: org.id, cause: "test", now: new Date() })).toMatchObject({ ok: true });
    const logged = { organizationId: org.id, agentId: agent.id, action: "search.web", currency: "USD", outcome: "allow" as const, snapshotVersion: 1, workerId: "w" };
    await db.insert(decisions).values([
      { ...logged, requestId: "small", amount: 300, createdAt: new Date(Date.now() - 3_600_000) },
      { ...logged, requestId: "large", amount: 5_000, createdAt: new Date(Date.now() - 1_800_000) },
    ]);
    const stricter = `${SEARCH}    caps:\n      - id: per-search\n        amount: 1000\n        currency: USD\n`;

    const planned = await tollgate(["plan", "-f", await file("stricter.yaml", stricter), "--days", "1"]);

    expect(planned.code).toBe(0);
    expect(planned.out).toContain("policy search (published v1): will be updated");
    expect(planned.out).toContain(["  + caps:", "  +   - id: per-search", "  +     amount: 1000", "  +     currency: USD"].join("\n"));
    expect(planned.out).not.toContain("[]");
    expect(planned.out).toContain("replay over the last 1 days: 2 decisions, 1 would change");
    expect(planned.out).toContain("allow → deny: 1");
    expect(planned.out).toContain("allowed USD: 53.00 USD → 3.00 USD");
    expect(planned.out).toMatch(/e\.g\. .* search\.web 50\.00 USD: allow → deny \(over_per_call_cap: 50\.00 USD is over the per-call cap/);
    expect(planned.out).toContain("Plan: 0 to create, 1 to update, 0 unchanged.");
  });

  it("round-trips: export, apply the export unchanged, and plan shows no change", async () => {
    const { org, tollgate, file, counts } = await organization();
    const twoPolicies = `${SEARCH}  - name: payments\n    mode: shadow\n    selector: { all: true }\n    grants: [{ id: charge, actions: ["stripe.charges.*"], merchants: [acme] }]\n    limits: [{ id: daily, period: day, amount: 50000, currency: EUR }]\n`;
    expect((await tollgate(["apply", "-f", await file("two.yaml", twoPolicies)])).code).toBe(0);
    const before = await counts();

    const exportPath = join(folder, `${org.id}-exported.yaml`);
    const exported = await tollgate(["export", "-f", exportPath]);
    expect(exported).toMatchObject({ code: 0, err: `wrote 2 published policies to ${exportPath}` });
    const text = await readFile(exportPath, "utf8");
    expect(text).toContain("name: payments");
    expect(text).toContain("mode: shadow");
    expect((await tollgate(["export"])).out).toBe(text.replace(/\n$/, ""));

    const reapplied = await tollgate(["apply", "-f", exportPath]);
    expect(reapplied.out).toContain("policy payments: unchanged (v1)");
    expect(reapplied.out).toContain("Nothing to apply");
    const planned = await tollgate(["plan", "-f", exportPath]);
    expect(planned.out).toContain("policy payments (published v1): unchanged");
    expect(planned.out).toContain("No changes: the console already publishes this file.");
    expect(await counts()).toEqual(before);
  });

  it("refuses an invalid file with each error named by its path, exits 65 and changes nothing", async () => {
    const { tollgate, file, counts } = await organization();
    expect((await tollgate(["apply", "-f", await file("good.yaml", SEARCH)])).code).toBe(0);
    const before = await counts();
    const invalid = SEARCH.replace('actions: ["search.*"]', "actions: []\n    limits: [{ id: daily, period: fortnight, amount: -5, currency: USD }]");

    for (const command of ["apply", "plan"]) {
      const refused = await tollgate([command, "-f", await file("invalid.yaml", invalid)]);
      expect(refused.code).toBe(65);
      expect(refused.err).toContain("refused: tollgate.yaml is not valid");
      expect(refused.err).toContain("policies[0].grants[0].actions: must not be empty");
      expect(refused.err).toContain("policies[0].limits[0].period: must be one of");
      expect(refused.err).toContain("policies[0].limits[0].amount:");
    }
    const broken = await tollgate(["apply", "-f", await file("broken.yaml", "policies: [\n")]);
    expect(broken.code).toBe(65);
    expect(broken.err).toMatch(/line \d+, column \d+/);
    expect(await counts()).toEqual(before);
  });

  it("refuses a file that does not compile with the organization's delegations, and changes nothing", async () => {
    const { db, org, admin, tollgate, file, counts } = await organization();
    const delegator = await agentFixture(db, admin, { tags: ["research"] });
    const delegate = await agentFixture(db, admin);
    await publishedPolicyFixture(db, org.id, { name: "search", selector: { tags: ["research"] }, grants: [{ id: "web", actions: ["search.*"] }] });
    await db.insert(delegations).values({ organizationId: org.id, delegatorAgentId: delegator.id, delegateAgentId: delegate.id, scope: { actions: ["search.*"] }, expiresAt: new Date(Date.now() + 86_400_000) });
    expect(await publishSnapshot({ db, organizationId: org.id, cause: "test", now: new Date() })).toMatchObject({ ok: true });
    const before = await counts();

    // The delegator would lose search.*, leaving its delegation wider than its own scope.
    const narrower = SEARCH.replace('actions: ["search.*"]', 'actions: ["maps.*"]');
    const refused = await tollgate(["apply", "-f", await file("narrower.yaml", narrower)]);

    expect(refused.code).toBe(65);
    expect(refused.err).toContain("refused: tollgate.yaml does not compile");
    expect(refused.err).toMatch(/delegations\[0\]/);
    expect(await counts()).toEqual(before);
  });

  it("creates an agent and a key for it, printing the key once", async () => {
    const { db, org, admin, tollgate } = await organization();

    const created = await tollgate(["agents", "create", "--name", "researcher", "--owner", admin.email, "--tags", "research, eu"]);
    expect(created.code).toBe(0);
    const agent = JSON.parse(created.out) as { id: string; name: string; tags: string[]; owner: { id: string } };
    expect(agent).toMatchObject({ name: "researcher", tags: ["research", "eu"], owner: { id: admin.id } });
    const [stored] = await db.select().from(agents).where(eq(agents.id, agent.id));
    expect(stored).toMatchObject({ organizationId: org.id, ownerUserId: admin.id });

    const keyed = await tollgate(["keys", "create", "--agent", "researcher", "--name", "ci"]);
    expect(keyed.code).toBe(0);
    const key = JSON.parse(keyed.out) as { key: string; prefix: string; agentId: string };
    expect(key.agentId).toBe(agent.id);
    expect(keyed.err).toContain("will not show it again");
    const [keyRow] = await db.select().from(apiKeys).where(eq(apiKeys.agentId, agent.id));
    expect(keyRow).toMatchObject({ prefix: key.prefix, hash: hashApiKey(key.key), name: "ci" });

    const duplicate = await tollgate(["agents", "create", "--name", "researcher"]);
    expect(duplicate.code).toBe(65);
    expect(duplicate.err).toContain("name: an agent named researcher already exists");
    const badTag = await tollgate(["agents", "create", "--name", "other", "--tags=-nope"]);
    expect(badTag.code).toBe(65);
    expect(badTag.err).toContain("tags: must be a tag of 1–64 letters");
  });

  it("refuses a revoked or unknown token with 77, and a token whose user is not an admin", async () => {
    const { as, admin, org, token, tollgate, file, counts } = await organization();
    const path = await file("tollgate.yaml", SEARCH);
    const before = await counts();
    await as(admin).adminTokens.revoke({ tokenId: token.id });

    const revoked = await tollgate(["apply", "-f", path]);
    expect(revoked.code).toBe(77);
    expect(revoked.err).toContain(`the console refused: The API token ${token.prefix} was revoked at`);
    const unknown = await tollgate(["export"], { TOLLGATE_TOKEN: `tg_AAAAAAAA_${"A".repeat(40)}` });
    expect(unknown).toMatchObject({ code: 77 });
    expect(unknown.err).toContain("not known");

    const reviewer = await userFixture(database.db, org.id, { role: "reviewer" });
    const reviewerToken = await createCaller(createContext({ db: database.db, session: { userId: reviewer.id, organizationId: org.id, role: "admin" } })).adminTokens.create({ name: "stale" });
    const forbidden = await tollgate(["apply", "-f", path], { TOLLGATE_TOKEN: reviewerToken.token });
    expect(forbidden.code).toBe(77);
    expect(forbidden.err).toContain("Your role (reviewer) cannot do this");
    expect(await counts()).toEqual({ ...before, audits: before.audits + 2 });
  });

  it("names a missing console or token as a usage error, and an unreachable console as 69", async () => {
    const { tollgate, file } = await organization();
    const path = await file("tollgate.yaml", SEARCH);
    const noConsole = await tollgate(["plan", "-f", path], { TOLLGATE_CONSOLE_URL: "" });
    expect(noConsole.code).toBe(64);
    expect(noConsole.err).toContain("--console (or TOLLGATE_CONSOLE_URL): is required");
    expect((await tollgate(["plan"])).err).toContain("-f (the tollgate.yaml to plan): is required");
    const unreachable = await tollgate(["plan", "-f", path, "--console", "http://127.0.0.1:1"]);
    expect(unreachable.code).toBe(69);
    expect(unreachable.err).toContain("could not reach the console");
  });
});
