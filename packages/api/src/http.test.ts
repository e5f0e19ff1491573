import { adminApiTokens, users, type Database, type Db } from "@tollgate/db";
import { agentFixture, openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext, type Session } from "./context";
import { handleApiRequest } from "./http";
import { createCaller } from "./root";
import { sessionOf } from "./testing";

type Answer = { status: number; body: { result?: { data: unknown }; error?: { message: string; data: { code: string } } } };

describe.each(testDrivers)("the API over HTTP on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  /** GETs a query procedure with `headers`, as a browser session `session` would if it sent no token. */
  async function query(db: Db, path: string, headers: Record<string, string>, session: Session | null = null): Promise<Answer> {
    const response = await handleApiRequest(new Request(`http://127.0.0.1/api/trpc/${path}`, { headers }), {
      endpoint: "/api/trpc",
      db,
      session: async () => session,
    });
    return { status: response.status, body: (await response.json()) as Answer["body"] };
  }

  async function world(tx: Db) {
    const org = await organizationFixture(tx);
    const admin = await userFixture(tx, org.id);
    const token = await createCaller(createContext({ db: tx, session: sessionOf(admin) })).adminTokens.create({ name: "cli" });
    return { org, admin, token, bearer: { authorization: `Bearer ${token.token}` } };
  }

  it("acts as the token's admin, in the admin's organization, and notes when it was last used", () =>
    withRollback(database.db, async (tx) => {
      const { org, admin, token, bearer } = await world(tx);
      const stranger = await organizationFixture(tx);
      await agentFixture(tx, await userFixture(tx, stranger.id));
      const mine = await agentFixture(tx, admin);

      const me = await query(tx, "me.get", bearer);
      expect(me).toMatchObject({ status: 200, body: { result: { data: { id: admin.id, role: "admin", organization: { id: org.id } } } } });
      const agents = await query(tx, `agents.list?input=${encodeURIComponent("{}")}`, bearer);
      expect(agents.body.result!.data).toMatchObject({ total: 1, items: [{ id: mine.id }] });
      const [stored] = await tx.select().from(adminApiTokens).where(eq(adminApiTokens.id, token.id));
      expect(stored!.lastUsedAt).toBeInstanceOf(Date);
    }));

  it("checks the role the token's user holds now, as for a session", () =>
    withRollback(database.db, async (tx) => {
      const { admin, bearer } = await world(tx);
      await tx.update(users).set({ role: "reviewer" }).where(eq(users.id, admin.id));
      expect(await query(tx, `agents.list?input=${encodeURIComponent("{}")}`, bearer)).toMatchObject({ status: 403, body: { error: { data: { code: "FORBIDDEN" } } } });
    }));

  it("refuses a revoked, an expired, an unknown and a malformed token with 401 saying which", () =>
    withRollback(database.db, async (tx) => {
      const { admin, token, bearer } = await world(tx);
      const session = sessionOf(admin);
      // A browser session does not rescue a bad token: the token is what was presented.
      const refusal = async (headers: Record<string, string>) => {
        const answer = await query(tx, "me.get", headers, session);
        expect(answer.status).toBe(401);
        return answer.body.error!.message;
      };

      expect(await refusal({ authorization: `Bearer ${token.prefix}_${"x".repeat(40)}` })).toMatch(/not known/);
      expect(await refusal({ authorization: "Bearer hunter2" })).toMatch(/malformed/);
      expect(await refusal({ authorization: "Basic YWRtaW46YWRtaW4=" })).toMatch(/expected `Bearer <API token>`/);

      await tx.update(adminApiTokens).set({ expiresAt: new Date(Date.now() - 1_000), createdAt: new Date(Date.now() - 60_000) }).where(eq(adminApiTokens.id, token.id));
      expect(await refusal(bearer)).toMatch(new RegExp(`${token.prefix} expired at`));

      await createCaller(createContext({ db: tx, session })).adminTokens.revoke({ tokenId: token.id });
      expect(await refusal(bearer)).toMatch(new RegExp(`${token.prefix} was revoked at`));
    }));

  it("uses the app's session when no token is presented", () =>
    withRollback(database.db, async (tx) => {
      const { admin } = await world(tx);
      expect(await query(tx, "me.get", {}, sessionOf(admin))).toMatchObject({ status: 200, body: { result: { data: { id: admin.id } } } });
      expect(await query(tx, "me.get", {})).toMatchObject({ status: 401, body: { error: { message: "Sign in to continue." } } });
    }));
});
