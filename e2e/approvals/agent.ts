import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { issueAgentKey, publishSnapshot } from "@tollgate/api";
import { agents, apiKeys, type Database } from "@tollgate/db";
import { publishedPolicyFixture } from "@tollgate/db/testing";
import { and, eq } from "drizzle-orm";
import type { Organization } from "../fixtures";

const workerDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../packages/worker");

export interface DecisionWorker {
  url: string;
  /** Ends the process: SIGTERM lets it finish what it holds; SIGKILL is a crash. */
  stop: (signal?: "SIGTERM" | "SIGKILL") => Promise<void>;
}

/** Runs the real decision worker as its own process on a free loopback port, against `databaseUrl`. */
export async function startDecisionWorker(databaseUrl: string): Promise<DecisionWorker> {
  const child = spawn(resolve(workerDir, "node_modules/.bin/tsx"), ["src/main.ts"], {
    cwd: workerDir,
    detached: true,
    env: { ...process.env, DATABASE_URL: databaseUrl, WORKER_PORT: "0", WORKER_ID: `e2e-${process.pid}-${Date.now()}` },
  });
  let output = "";
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      // serveWorker logs one JSON line "worker started" with the URL it listens on.
      const started = /"msg":"worker started".*"url":"([^"]+)"/.exec(output);
      if (started) resolveUrl(started[1]!);
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", () => reject(new Error(`the worker exited before it listened:\n${output}`)));
  });
  return {
    url,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      process.kill(-child.pid!, signal);
      await exited;
    },
  };
}

/** Over 50.00 EUR a human must approve; the day's envelope is far above any test's spend. */
const purchasing = {
  name: "e2e-purchasing",
  selector: { tags: ["e2e"] },
  grants: [{ id: "shop", actions: ["shop.*"] }],
  limits: [{ id: "daily", period: "day", amount: 10_000_000, currency: "EUR" }],
  approvals: [{ id: "over-50", when: "amount_over", amount: 5_000, currency: "EUR" }],
};

// The worker's answers are read field by field in assertions: their shapes are the contract under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;

/**
 * The organization's agent as a program would run it: a key, a published policy that sends
 * spends over 50.00 EUR to a human, and plain HTTP calls to the worker (ask, then long-poll).
 */
export async function agentOf(database: Database, organization: Organization, worker: DecisionWorker) {
  const [agent] = await database.db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.organizationId, organization.id), eq(agents.name, organization.agentName)));
  const issued = issueAgentKey();
  await database.db.insert(apiKeys).values({ organizationId: organization.id, agentId: agent!.id, prefix: issued.prefix, hash: issued.hash });
  await publishedPolicyFixture(database.db, organization.id, purchasing);
  await publishSnapshot({ db: database.db, organizationId: organization.id, cause: "e2e", now: new Date() });

  return clientOf(organization.id, issued.key, worker);
}

/** The agent's calls to one worker; `through` is the same agent talking to another (after a restart, say). */
export function clientOf(organizationId: string, key: string, worker: DecisionWorker) {
  const call = async (path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${worker.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${key}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Answer;
  };
  return {
    /** Whether the worker serves this organization's snapshot yet (it follows new ones within moments). */
    ready: async () => ((await call("/healthz")).snapshots?.[organizationId] ?? 0) >= 1,
    ask: (amount: number, requestId: string) =>
      call("/v1/decisions", { action: "shop.order", merchant: "acme", amount: { amount, currency: "EUR" }, sessionId: "e2e-run", requestId }),
    /** Long-polls the approval; resolves with the answer and the moment it arrived. */
    wait: async (approvalId: string, waitMs = 10_000) => {
      const answer = await call(`/v1/approvals/${approvalId}?waitMs=${waitMs}`);
      return { answer, at: Date.now() };
    },
    through: (other: DecisionWorker) => clientOf(organizationId, key, other),
  };
}
