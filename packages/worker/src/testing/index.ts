import { issueAgentKey, publishSnapshot } from "@tollgate/api";
import { announceApproval, apiKeys, approvals, organizations, type Database } from "@tollgate/db";
import { agentFixture, organizationFixture, publishedPolicyFixture, userFixture } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { serveWorker, type ServeOptions } from "../serve";

/** Agents tagged `purchasing` may shop; over 50.00 EUR a human approves. For tests of approvals. */
export const purchasingPolicy = {
  name: "purchasing",
  selector: { tags: ["purchasing"] },
  grants: [{ id: "shop", actions: ["shop.*"] }],
  limits: [{ id: "daily", period: "day", amount: 1_000_000, currency: "EUR" }],
  approvals: [{ id: "over-50", when: "amount_over", amount: 5_000, currency: "EUR" }],
};

export interface TestWorker {
  url: string;
  organizationId: string;
  agentId: string;
  /** The agent's API key, as the agent holds it. */
  key: string;
  /** A reviewer of the organization, to decide approvals as a person would. */
  reviewerId: string;
  /** Decides an approval as the organization's reviewer would, and tells the waiting workers. */
  decide: (approvalId: string, verdict: { approvedAmount: number } | "denied", note?: string) => Promise<void>;
  /** Stops the worker and deletes the organization with everything it owns. */
  stop: () => Promise<void>;
}

/** What a worker under test serves: an organization with one agent and its key, a reviewer, a published policy. */
export interface TestOrganization {
  organizationId: string;
  agentId: string;
  key: string;
  reviewerId: string;
  /** Deletes the organization with everything it owns. */
  remove: () => Promise<void>;
}

/**
 * An organization with one agent (tagged `tags`) and its key, and `policy` published as a signed
 * snapshot. Commits to the database, so a worker on other connections (or in another process) reads it.
 */
export async function seedTestOrganization(database: Database, { policy, tags = [] }: { policy: Record<string, unknown>; tags?: string[] }): Promise<TestOrganization> {
  const org = await organizationFixture(database.db);
  const agent = await agentFixture(database.db, await userFixture(database.db, org.id), { tags });
  const reviewer = await userFixture(database.db, org.id, { role: "reviewer" });
  const issued = issueAgentKey();
  await database.db.insert(apiKeys).values({ organizationId: org.id, agentId: agent.id, prefix: issued.prefix, hash: issued.hash });
  await publishedPolicyFixture(database.db, org.id, { ...policy, name: String(policy.name) });
  await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now: new Date() });
  return {
    organizationId: org.id,
    agentId: agent.id,
    key: issued.key,
    reviewerId: reviewer.id,
    remove: async () => {
      await database.db.delete(organizations).where(eq(organizations.id, org.id));
    },
  };
}

/**
 * A real decision worker on loopback for tests of the worker and of its clients, serving a
 * `seedTestOrganization`; `stop` stops it and removes the organization.
 */
export async function startTestWorker(
  database: Database,
  { policy, tags = [], ...options }: { policy: Record<string, unknown>; tags?: string[] } & Partial<ServeOptions>,
): Promise<TestWorker> {
  const seeded = await seedTestOrganization(database, { policy, tags });
  const org = { id: seeded.organizationId };
  const reviewer = { id: seeded.reviewerId };
  const worker = await serveWorker({
    host: "127.0.0.1",
    port: 0,
    workerId: `w-test-${database.driver}-${org.id.slice(0, 8)}`,
    version: "test",
    database,
    ...options,
  });
  return {
    url: worker.url,
    organizationId: org.id,
    agentId: seeded.agentId,
    key: seeded.key,
    reviewerId: reviewer.id,
    async decide(approvalId, verdict, note) {
      const status = verdict === "denied" ? "denied" : "approved";
      await database.db
        .update(approvals)
        .set({ status, approvedAmount: verdict === "denied" ? null : verdict.approvedAmount, decidedByUserId: reviewer.id, decidedAt: new Date(), note: note ?? `${status} in a test` })
        .where(eq(approvals.id, approvalId));
      await announceApproval(database.db, { organizationId: org.id, approvalId, agentId: seeded.agentId, status });
    },
    async stop() {
      await worker.stop();
      await seeded.remove();
    },
  };
}
