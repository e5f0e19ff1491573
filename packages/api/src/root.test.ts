import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { approvals, snapshots, workers, workerSnapshots, type Database, type Db, type UserRole } from "@tollgate/db";
import { eq } from "drizzle-orm";
import { agentFixture, openTestDatabase, testDrivers, withRollback } from "@tollgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createContext, type Session } from "./context";
import { Invalid } from "./errors";
import { appRouter, createCaller } from "./root";
import { populatedOrganization, sessionOf } from "./testing";
import { createTRPCRouter, signedInProcedure } from "./trpc";

type Caller = ReturnType<typeof createCaller>;
type World = Awaited<ReturnType<typeof populatedOrganization>>;

const everyone: UserRole[] = ["admin", "reviewer", "manager"];

/** A tollgate.yaml the CLI would send: one new policy granting what the world's delegation needs. */
const MATRIX_FILE = "policies:\n  - name: matrix\n    selector: { all: true }\n    grants: [{ id: search, actions: [\"search.*\"] }]\n";

/** The access the console promises, stated independently of `access.ts`. */
const procedures: { name: string; allowed: UserRole[]; call: (caller: Caller, world: World) => Promise<unknown> }[] = [
  { name: "me.get", allowed: everyone, call: (c) => c.me.get() },
  { name: "agents.list", allowed: ["admin", "manager"], call: (c) => c.agents.list({}) },
  { name: "agents.byId", allowed: ["admin", "manager"], call: (c, w) => c.agents.byId({ id: w.agents.buyer.id }) },
  { name: "agents.overview", allowed: ["admin", "manager"], call: (c, w) => c.agents.overview({ id: w.agents.buyer.id }) },
  { name: "agents.update", allowed: ["admin"], call: (c, w) => c.agents.update({ id: w.agents.buyer.id, description: "edited by the matrix" }) },
  { name: "agents.keys.create", allowed: ["admin"], call: (c, w) => c.agents.keys.create({ agentId: w.agents.buyer.id, name: "ci" }) },
  { name: "agents.keys.revoke", allowed: ["admin"], call: (c, w) => c.agents.keys.revoke({ keyId: w.apiKey.id }) },
  { name: "agents.suspension.preview", allowed: ["admin"], call: (c, w) => c.agents.suspension.preview({ agentId: w.agents.buyer.id }) },
  { name: "agents.suspend", allowed: ["admin"], call: (c, w) => c.agents.suspend({ agentId: w.agents.buyer.id, reason: "matrix" }) },
  {
    name: "agents.resume",
    allowed: ["admin"],
    // The world's agents are active: past the role check, "not suspended" is the answer (agent-status.test.ts resumes).
    call: (c, w) =>
      c.agents.resume({ agentId: w.agents.helper.id }).catch((error: TRPCError) => {
        if (error.code === "CONFLICT") return "answered";
        throw error;
      }),
  },
  { name: "policies.list", allowed: ["admin"], call: (c) => c.policies.list({}) },
  { name: "policies.byId", allowed: ["admin"], call: (c, w) => c.policies.byId({ policyId: w.policy.id }) },
  { name: "policies.versions", allowed: ["admin"], call: (c, w) => c.policies.versions({ policyId: w.policy.id }) },
  { name: "policies.version", allowed: ["admin"], call: (c, w) => c.policies.version({ policyId: w.policy.id, version: 1 }) },
  { name: "policies.diff", allowed: ["admin"], call: (c, w) => c.policies.diff({ policyId: w.policy.id, from: 1, to: 1 }) },
  { name: "policies.shadow", allowed: ["admin"], call: (c, w) => c.policies.shadow({ policyId: w.policy.id }) },
  {
    name: "policies.simulate",
    allowed: ["admin"],
    call: (c, w) => c.policies.simulate({ source: matrixPolicy("simulated"), request: { agentId: w.agents.buyer.id, action: "search.web" } }),
  },
  { name: "policies.replay", allowed: ["admin"], call: (c) => firstOf(c.policies.replay({ source: matrixPolicy("replayed") })) },
  { name: "policies.saveDraft", allowed: ["admin"], call: (c) => c.policies.saveDraft({ source: matrixPolicy("drafted") }) },
  { name: "policies.publish", allowed: ["admin"], call: (c) => c.policies.publish({ source: matrixPolicy("published") }) },
  {
    name: "policies.setMode",
    allowed: ["admin"],
    // The world's policy is enforced: past the role check, "already enforced" is the answer (policy-rollout.test.ts moves).
    call: (c, w) =>
      c.policies.setMode({ policyId: w.policy.id, mode: "enforce" }).catch((error: TRPCError) => {
        if (error.code === "CONFLICT") return "answered";
        throw error;
      }),
  },
  { name: "delegations.list", allowed: ["admin"], call: (c) => c.delegations.list({}) },
  { name: "delegations.graph", allowed: ["admin"], call: (c) => c.delegations.graph() },
  { name: "delegations.delegableScope", allowed: ["admin"], call: (c, w) => c.delegations.delegableScope({ agentId: w.agents.buyer.id }) },
  {
    name: "delegations.create",
    allowed: ["admin"],
    call: (c, w) =>
      c.delegations.create({ delegatorAgentId: w.agents.buyer.id, delegateAgentId: w.agents.helper.id, actions: ["search.web"], expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
  },
  { name: "delegations.revoke", allowed: ["admin"], call: (c, w) => c.delegations.revoke({ id: w.delegation.id }) },
  { name: "approvals.list", allowed: ["admin", "reviewer"], call: (c) => c.approvals.list({}) },
  {
    name: "approvals.decide",
    allowed: ["admin", "reviewer"],
    // Past the role check, the answer depends on the approval's state and owner, not the role:
    // "already decided" and "you own this agent" are answers too (approvals.test.ts covers them).
    call: (c, w) =>
      c.approvals.decide({ id: w.approval.id, verdict: "deny" }).catch((error: TRPCError) => {
        if (error.code === "CONFLICT" || error.message.includes("you own this agent")) return "answered";
        throw error;
      }),
  },
  { name: "approvals.queue", allowed: ["admin", "reviewer"], call: (c) => c.approvals.queue() },
  { name: "approvals.live", allowed: ["admin", "reviewer"], call: (c) => firstOf(c.approvals.live()) },
  { name: "approvals.recent", allowed: ["admin", "reviewer"], call: (c) => c.approvals.recent() },
  { name: "approvals.settings", allowed: ["admin"], call: (c) => c.approvals.settings() },
  {
    name: "approvals.updateSettings",
    allowed: ["admin"],
    call: (c) => c.approvals.updateSettings({ ownerMayApprove: false, dualApprovalAbove: { amount: 100_000, currency: "EUR" } }),
  },
  {
    name: "approvals.setWebhook",
    allowed: ["admin"],
    call: (c) => c.approvals.setWebhook({ webhook: { url: "https://hooks.example.test/tollgate", secret: "a-secret-of-sixteen+" } }),
  },
  { name: "sessions.list", allowed: everyone, call: (c) => c.sessions.list({}) },
  { name: "sessions.story", allowed: everyone, call: (c, w) => c.sessions.story({ id: w.session.id }) },
  { name: "sessions.reset", allowed: ["admin"], call: (c, w) => c.sessions.reset({ id: w.session.id }) },
  { name: "audit.list", allowed: ["admin", "manager"], call: (c) => c.audit.list({}) },
  { name: "audit.export", allowed: ["admin", "manager"], call: (c) => c.audit.export({}) },
  { name: "audit.verify", allowed: ["admin", "manager"], call: (c) => c.audit.verify() },
  { name: "workers.list", allowed: ["admin"], call: (c) => c.workers.list({}) },
  { name: "dashboard.summary", allowed: everyone, call: (c) => c.dashboard.summary() },
  { name: "dashboard.timeline", allowed: everyone, call: (c) => c.dashboard.timeline() },
  { name: "dashboard.spend", allowed: everyone, call: (c) => c.dashboard.spend({ by: "agent" }) },
  { name: "dashboard.denials", allowed: everyone, call: (c) => c.dashboard.denials() },
  { name: "dashboard.envelopes", allowed: everyone, call: (c) => c.dashboard.envelopes({}) },
  { name: "dashboard.trust", allowed: everyone, call: (c) => c.dashboard.trust() },
  { name: "agents.create", allowed: ["admin"], call: (c) => c.agents.create({ name: "matrix-agent", tags: ["purchasing"] }) },
  { name: "tollgateFile.plan", allowed: ["admin"], call: (c) => c.tollgateFile.plan({ source: MATRIX_FILE }) },
  { name: "tollgateFile.publish", allowed: ["admin"], call: (c) => c.tollgateFile.publish({ source: MATRIX_FILE }) },
  { name: "tollgateFile.export", allowed: ["admin"], call: (c) => c.tollgateFile.export() },
  { name: "adminTokens.list", allowed: ["admin"], call: (c) => c.adminTokens.list({}) },
  { name: "adminTokens.create", allowed: ["admin"], call: (c) => c.adminTokens.create({ name: "matrix" }) },
  {
    name: "adminTokens.revoke",
    allowed: ["admin"],
    // Past the role check, an admin revokes only their own tokens (admin-tokens.test.ts): "not found" is the answer here.
    call: (c) =>
      c.adminTokens.revoke({ tokenId: "00000000-0000-4000-8000-000000000000" }).catch((error: TRPCError) => {
        if (error.code === "NOT_FOUND") return "answered";
        throw error;
      }),
  },
];

/** A policy of its own name that compiles beside the world's: every agent may search. */
const matrixPolicy = (name: string) => JSON.stringify({ name, selector: { all: true }, grants: [{ id: "search", actions: ["search.*"] }] });

// The matrix checks who may subscribe, not notifications (approval-queue.test.ts does): nothing is announced here.
const silence: Database["listen"] = async () => async () => {};
const caller = (db: Db, session: Session | null) => createCaller(createContext({ db, session, listen: silence }));

/** A subscription's first value, then it is closed. */
async function firstOf<T>(subscription: Promise<AsyncIterable<T>>): Promise<T> {
  for await (const value of await subscription) return value;
  throw new Error("the subscription ended before yielding");
}

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  return "OK";
}

describe.each(testDrivers)("console procedures on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.close();
  });

  describe.each(procedures)("$name", ({ allowed, call }) => {
    it("answers the roles allowed to call it and refuses every other role", () =>
      withRollback(database.db, async (tx) => {
        const world = await populatedOrganization(tx);
        for (const role of everyone) {
          const outcome = await refusal(call(caller(tx, sessionOf(world.users[role])), world));
          expect({ role, outcome }).toEqual({ role, outcome: allowed.includes(role) ? "OK" : "FORBIDDEN" });
        }
      }));

    it("refuses a caller who is not signed in", () =>
      withRollback(database.db, async (tx) => {
        const world = await populatedOrganization(tx);
        expect(await refusal(call(caller(tx, null), world))).toBe("UNAUTHORIZED");
      }));

    it("never returns another organization's rows", () =>
      withRollback(database.db, async (tx) => {
        const world = await populatedOrganization(tx);
        const stranger = await populatedOrganization(tx);
        const strangerIds = collectIds(stranger);
        for (const role of allowed) {
          let answer: unknown;
          try {
            answer = await call(caller(tx, sessionOf(world.users[role])), stranger);
          } catch (error) {
            // Asking by id for the stranger's row: it does not exist for this caller.
            expect((error as TRPCError).code).toBe("NOT_FOUND");
            continue;
          }
          const seen = JSON.stringify(answer);
          for (const id of strangerIds) expect(seen).not.toContain(id);
        }
      }));
  });

  it("lists agents with owner and trust score, searching names and tags, page by page", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const admin = caller(tx, sessionOf(world.users.admin));
      const all = await admin.agents.list({});
      expect(all.total).toBe(2);
      const buyer = all.items.find((agent) => agent.id === world.agents.buyer.id);
      expect(buyer).toMatchObject({ tags: ["purchasing", "eu"], status: "active", trustScore: 712, owner: { name: world.users.admin.name } });
      expect(typeof buyer?.createdAt).toBe("string");

      expect((await admin.agents.list({ search: "PURCH" })).items.map((agent) => agent.id)).toEqual([world.agents.buyer.id]);
      expect((await admin.agents.list({ search: world.agents.helper.name })).items.map((agent) => agent.id)).toEqual([world.agents.helper.id]);
      expect((await admin.agents.list({ search: "%" })).total).toBe(0);

      const first = await admin.agents.list({ pageSize: 1 });
      const second = await admin.agents.list({ pageSize: 1, page: 2 });
      expect([first.total, first.items.length, second.items.length]).toEqual([2, 1, 1]);
      expect(first.items[0]!.id).not.toBe(second.items[0]!.id);
    }));

  it("shows an agent's keys by prefix only", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const agent = await caller(tx, sessionOf(world.users.manager)).agents.byId({ id: world.agents.buyer.id });
      expect(agent.apiKeys).toHaveLength(1);
      expect(Object.keys(agent.apiKeys[0]!)).not.toContain("hash");
      expect(agent.apiKeys[0]!.prefix).toMatch(/^tg_/);
    }));

  it("answers NOT_FOUND for another organization's agent, exactly as for an id that does not exist", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const stranger = await populatedOrganization(tx);
      const admin = caller(tx, sessionOf(world.users.admin));
      expect(await refusal(admin.agents.byId({ id: stranger.agents.buyer.id }))).toBe("NOT_FOUND");
      expect(await refusal(admin.agents.byId({ id: "00000000-0000-4000-8000-000000000000" }))).toBe("NOT_FOUND");
    }));

  it("puts pending approvals first, soonest to expire on top", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const page = await caller(tx, sessionOf(world.users.reviewer)).approvals.list({});
      expect(page.items.map((approval) => [approval.status, approval.amount])).toEqual([["pending", { amount: 90_000, currency: "EUR" }]]);
      expect((await caller(tx, sessionOf(world.users.reviewer)).approvals.list({ status: "approved" })).total).toBe(0);
    }));

  it("summarises agents, decisions, pending approvals and committed spend", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      await agentFixture(tx, world.users.admin, { status: "suspended", suspendedAt: new Date() });
      const summary = await caller(tx, sessionOf(world.users.manager)).dashboard.summary();
      expect(summary).toMatchObject({
        agents: { total: 3, active: 2, suspended: 1 },
        decisions: { allow: 1, deny: 0, pending: 1 },
        pendingApprovals: 1,
        committedSpend: [{ amount: 1_000, currency: "EUR" }],
      });
    }));

  it("charts decisions and committed spend per calendar day, and trust scores lowest first", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const timeline = await caller(tx, sessionOf(world.users.manager)).dashboard.timeline();
      expect(timeline.decisions.length).toBeGreaterThanOrEqual(30);
      const totals = timeline.decisions.reduce((sum, day) => ({ allow: sum.allow + day.allow, pending: sum.pending + day.pending }), { allow: 0, pending: 0 });
      expect(totals).toEqual({ allow: 1, pending: 1 });
      expect(timeline.spend).toMatchObject([{ currency: "EUR" }]);
      expect(timeline.spend[0]!.points.reduce((sum, point) => sum + point.amount, 0)).toBe(1_000);
      expect(timeline.trust.map((row) => row.score)).toEqual([...timeline.trust.map((row) => row.score)].sort((a, b) => a - b));
      expect(timeline.approvals.length).toBe(timeline.decisions.length);
      expect(timeline.approvals.filter((day) => day.pending > 0)).toMatchObject([{ pending: 1, approved: 0, medianDecisionMs: null }]);
      // A reviewer answers it 90 s after it was asked: the day's median wait.
      await tx
        .update(approvals)
        .set({ status: "denied", decidedByUserId: world.users.reviewer.id, decidedAt: new Date(world.approval.createdAt.getTime() + 90_000) })
        .where(eq(approvals.id, world.approval.id));
      const answered = await caller(tx, sessionOf(world.users.manager)).dashboard.timeline();
      const [answeredDay] = answered.approvals.filter((day) => day.denied > 0);
      expect(answeredDay).toMatchObject({ denied: 1, pending: 0 });
      // The fixture's time has microseconds; the 90 s were added to its milliseconds.
      expect(Math.abs(answeredDay!.medianDecisionMs! - 90_000)).toBeLessThanOrEqual(1);
    }));

  it("filters the audit log by action and time, and exports it with before and after", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const admin = caller(tx, sessionOf(world.users.admin));
      expect((await admin.audit.list({ action: "agent." })).items).toMatchObject([{ action: "agent.create" }]);
      expect((await admin.audit.list({ action: "policy." })).total).toBe(0);
      expect((await admin.audit.list({ to: "2000-01-01T00:00:00Z" })).total).toBe(0);
      const exported = await admin.audit.export({ action: "agent.create" });
      expect(exported).toMatchObject({ truncated: false, items: [{ action: "agent.create", before: null, after: expect.objectContaining({}) }] });
      const refused = await admin.audit.list({ action: "agent%" }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "BAD_REQUEST" });
      expect(z.flattenError((refused as TRPCError).cause as z.ZodError).fieldErrors).toEqual({
        action: ["must be an action name such as agent.suspend, or its start such as agent."],
      });
    }));

  it("narrows the dashboards to the window asked for, and refuses one it does not offer", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const manager = caller(tx, sessionOf(world.users.manager));
      const week = await manager.dashboard.timeline({ days: 7 });
      expect(week.decisions.length).toBeGreaterThanOrEqual(7);
      expect(week.decisions.length).toBeLessThanOrEqual(8);
      const summary = await manager.dashboard.summary({ days: 90 });
      expect(Date.now() - new Date(summary.since).getTime()).toBeGreaterThanOrEqual(90 * 24 * 60 * 60 * 1000);
      const refused = await manager.dashboard.timeline({ days: 12 } as never).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "BAD_REQUEST" });
      expect(z.flattenError((refused as TRPCError).cause as z.ZodError).fieldErrors).toEqual({ days: ["must be one of 7, 30, 90 days"] });
    }));

  it("lists policies, delegations, sessions, audit events and workers with what their tables show", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const admin = caller(tx, sessionOf(world.users.admin));
      expect((await admin.policies.list({})).items).toMatchObject([{ id: world.policy.id, latestVersion: 1, published: { version: 1, mode: "enforce" } }]);
      expect((await admin.delegations.list({})).items).toMatchObject([
        { delegator: { id: world.agents.buyer.id }, delegate: { id: world.agents.helper.id }, actions: ["search.*"], budget: { amount: 5_000, currency: "EUR" }, status: "active" },
      ]);
      expect((await admin.sessions.list({})).items).toMatchObject([{ externalId: "run-1", decisionCount: 2, agent: { id: world.agents.buyer.id } }]);
      expect((await admin.audit.list({})).items).toMatchObject([{ action: "agent.create", actor: { kind: "user", name: world.users.admin.name } }]);
      expect(await admin.workers.list({})).toMatchObject({ total: 1, latestSnapshotVersion: 1, items: [{ id: world.workerId, snapshotVersion: 1 }] });
    }));

  it("shows how far the newest snapshot has spread across live workers, and how long the slowest took", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      const [first] = await tx.select().from(snapshots).where(eq(snapshots.organizationId, world.organization.id));
      const publishedAt = new Date();
      await tx.insert(snapshots).values({ ...first!, id: undefined, version: 2, cause: "agent.suspend", createdAt: publishedAt });
      await tx
        .update(workerSnapshots)
        .set({ snapshotVersion: 2, loadedAt: new Date(publishedAt.getTime() + 180) })
        .where(eq(workerSnapshots.workerId, world.workerId));
      for (const [id, heartbeatAt] of [["w-lagging", new Date()], ["w-dead", new Date(Date.now() - 5 * 60_000)]] as const) {
        await tx.insert(workers).values({ id: `${id}-${world.organization.id}`, host: "h", version: "0.1.0", heartbeatAt });
        await tx.insert(workerSnapshots).values({ workerId: `${id}-${world.organization.id}`, organizationId: world.organization.id, snapshotVersion: 1 });
      }
      const listed = await caller(tx, sessionOf(world.users.admin)).workers.list({});
      expect(listed.propagation).toMatchObject({ version: 2, cause: "agent.suspend", liveWorkers: 2, workersOnVersion: 1, slowestMs: 180 });
    }));

  it("tells the signed-in user who they are and in which organization", () =>
    withRollback(database.db, async (tx) => {
      const world = await populatedOrganization(tx);
      expect(await caller(tx, sessionOf(world.users.reviewer)).me.get()).toMatchObject({
        id: world.users.reviewer.id,
        role: "reviewer",
        organization: { name: world.organization.name, timeZone: "Europe/Berlin" },
      });
    }));
});

describe("errors on the wire", () => {
  const probe = createTRPCRouter({
    broken: signedInProcedure.query(() => {
      throw new Error("connection to 10.0.0.7 refused: password authentication failed for user tollgate");
    }),
    invalid: signedInProcedure.query(() => {
      throw new Invalid("The budget is larger than the delegator's envelope.", { budget: ["must be at most 5000"] });
    }),
    typed: signedInProcedure.input(z.object({ pageSize: z.number().max(100) })).query(() => "never"),
  });
  const session: Session = { userId: "u", organizationId: "o", role: "admin" };
  const call = async (path: string, input?: unknown) => {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const response = await fetchRequestHandler({
      endpoint: "/trpc",
      req: new Request(`http://localhost/trpc/${path}${query}`),
      router: probe,
      createContext: () => createContext({ db: null as unknown as Db, session }),
    });
    return { status: response.status, body: (await response.json()) as { error: { message: string; data: Record<string, unknown> } } };
  };

  it("never sends an unknown error's message or stack to the client", async () => {
    const { status, body } = await call("broken");
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toMatch(/10\.0\.0\.7|password|stack/);
    expect(body.error.message).toBe("Something went wrong on our side.");
  });

  it("maps a domain error to its status, keeping its message and field errors", async () => {
    const { status, body } = await call("invalid");
    expect(status).toBe(400);
    expect(body.error.message).toBe("The budget is larger than the delegator's envelope.");
    expect(body.error.data.fieldErrors).toEqual({ budget: ["must be at most 5000"] });
  });

  it("names the field of a malformed input", async () => {
    const { status, body } = await call("typed", { pageSize: 1000 });
    expect(status).toBe(400);
    expect(Object.keys(body.error.data.fieldErrors as object)).toEqual(["pageSize"]);
  });

  it("exposes the console's procedures and nothing else", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(procedures.map((procedure) => procedure.name).sort());
  });
});

/** Every id of a world's rows, to look for in another organization's answers. */
function collectIds(world: World): string[] {
  return [
    world.organization.id,
    ...Object.values(world.users).map((user) => user.id),
    world.agents.buyer.id,
    world.agents.helper.id,
    world.apiKey.id,
    world.policy.id,
    world.delegation.id,
    world.session.id,
    world.approval.id,
    world.workerId,
  ];
}
