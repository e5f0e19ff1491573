import { issueAgentKey, publishSnapshot } from "@tollgate/api";
import { apiKeys, organizations, policies, policyVersions, type Database } from "@tollgate/db";
import { agentFixture, organizationFixture, userFixture } from "@tollgate/db/testing";
import { eq } from "drizzle-orm";
import { serveWorker, type ServeOptions } from "../serve";

export interface TestWorker {
  url: string;
  organizationId: string;
  agentId: string;
  /** The agent's API key, as the agent holds it. */
  key: string;
  /** A reviewer of the organization, to decide approvals as a person would. */
  reviewerId: string;
  /** Stops the worker and deletes the organization with everything it owns. */
  stop: () => Promise<void>;
}

/**
 * A real decision worker on loopback for tests of the worker and of its clients: an organization
 * with one agent (tagged `tags`) and its key, `policy` published as a signed snapshot. Commits to
 * the database (the worker reads it from other connections) and cleans up in `stop`.
 */
export async function startTestWorker(
  database: Database,
  { policy, tags = [], ...options }: { policy: Record<string, unknown>; tags?: string[] } & Partial<ServeOptions>,
): Promise<TestWorker> {
  const org = await organizationFixture(database.db);
  const agent = await agentFixture(database.db, await userFixture(database.db, org.id), { tags });
  const reviewer = await userFixture(database.db, org.id, { role: "reviewer" });
  const issued = issueAgentKey();
  await database.db.insert(apiKeys).values({ organizationId: org.id, agentId: agent.id, prefix: issued.prefix, hash: issued.hash });
  const [row] = await database.db.insert(policies).values({ organizationId: org.id, name: String(policy.name) }).returning();
  await database.db.insert(policyVersions).values({
    organizationId: org.id,
    policyId: row!.id,
    version: 1,
    source: JSON.stringify(policy),
    document: policy,
    status: "published",
    publishedAt: new Date(),
  });
  await publishSnapshot({ db: database.db, organizationId: org.id, cause: "test", now: new Date() });
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
    agentId: agent.id,
    key: issued.key,
    reviewerId: reviewer.id,
    async stop() {
      await worker.stop();
      await database.db.delete(organizations).where(eq(organizations.id, org.id));
    },
  };
}
