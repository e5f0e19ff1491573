import { createHmac } from "node:crypto";
import { agents, moneyOrNull, organizations, webhookDeliveries, type approvals, type Db } from "@tollgate/db";
import { and, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";

type ApprovalRow = typeof approvals.$inferSelect;
type WebhookEvent = (typeof webhookDeliveries.$inferInsert)["event"];

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe-style receivers check it. */
export const WEBHOOK_SIGNATURE_HEADER = "x-tollgate-signature";
/** The delivery's id, the same on every retry, so a receiver can drop duplicates. */
export const WEBHOOK_DELIVERY_HEADER = "x-tollgate-delivery";

/** Signs `body` sent at `timestamp` (unix seconds) with the organization's webhook secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

function majorUnits(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${new Intl.NumberFormat("en", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount / 10 ** digits)} ${currency}`;
}

/** What a webhook message says of an approval. */
type AnnouncedApproval = Pick<ApprovalRow, "id" | "organizationId" | "agentId" | "amount" | "currency" | "action" | "merchant" | "expiresAt">;

/** The Slack-compatible message (`text` for notifications, `blocks` for the channel) announcing `event`. */
export function approvalMessage(event: WebhookEvent, approval: AnnouncedApproval, agentName: string) {
  const where = `\`${approval.action}\`${approval.merchant ? ` at ${approval.merchant}` : ""}`;
  const asked = moneyOrNull(approval.amount, approval.currency);
  const asks = asked ? `to spend ${majorUnits(asked.amount, asked.currency)} on ${where}` : `to call ${where}`;
  const text =
    event === "approval.pending"
      ? `${agentName} asks ${asks}: it needs a reviewer before ${approval.expiresAt.toISOString()}.`
      : `${agentName}'s request ${asks} expired unanswered and was denied.`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      { type: "context", elements: [{ type: "mrkdwn", text: `approval ${approval.id} · ${event}` }] },
    ],
  };
}

/**
 * Adds the webhooks announcing `event` to the outbox, for the approvals whose organization has
 * one (two statements however many); call it in the transaction that makes the change, so the
 * announcements commit (or not) with it.
 */
export async function enqueueApprovalWebhooks(tx: Db, event: WebhookEvent, announced: readonly AnnouncedApproval[]): Promise<void> {
  if (announced.length === 0) return;
  const targets = await tx
    .select({ organizationId: organizations.id, agentId: agents.id, agentName: agents.name })
    .from(organizations)
    .innerJoin(agents, eq(agents.organizationId, organizations.id))
    .where(and(inArray(agents.id, [...new Set(announced.map((approval) => approval.agentId))]), isNotNull(organizations.approvalWebhookUrl)));
  const agentName = new Map(targets.map((target) => [`${target.organizationId}\u0000${target.agentId}`, target.agentName]));
  const deliveries = announced.flatMap((approval) => {
    const name = agentName.get(`${approval.organizationId}\u0000${approval.agentId}`);
    return name === undefined ? [] : [{ organizationId: approval.organizationId, approvalId: approval.id, event, payload: approvalMessage(event, approval, name) }];
  });
  if (deliveries.length > 0) await tx.insert(webhookDeliveries).values(deliveries);
}

export interface WebhookDispatcherConfig {
  db: Db;
  now: () => Date;
  /** How often the outbox is scanned for due deliveries. */
  intervalMs: number;
  /** The first retry waits this long; each next one twice as long, up to an hour. */
  retryBaseMs: number;
  /** After this many failed attempts a delivery is given up (`failed`). */
  maxAttempts: number;
  log: (level: "warn", msg: string, fields: Record<string, unknown>) => void;
}

// A claimed delivery is pushed this far out, so a sender that died mid-send leaves it to another.
const CLAIM_MS = 30_000;
const SEND_TIMEOUT_MS = 10_000;
const BATCH = 20;
const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * Sends the outbox: claims due deliveries (safely across workers: `for update skip locked`),
 * POSTs each signed with its organization's current secret, and reschedules failures with
 * exponential backoff. Returns a stop function.
 */
export function startWebhookDispatcher(config: WebhookDispatcherConfig) {
  const { db, now } = config;

  async function claim() {
    const at = now();
    const due = db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, at)))
      .limit(BATCH)
      .for("update", { skipLocked: true });
    return db
      .update(webhookDeliveries)
      .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: new Date(at.getTime() + CLAIM_MS) })
      .where(inArray(webhookDeliveries.id, due))
      .returning();
  }

  async function send(delivery: typeof webhookDeliveries.$inferSelect): Promise<void> {
    const [target] = await db
      .select({ url: organizations.approvalWebhookUrl, secret: organizations.approvalWebhookSecret })
      .from(organizations)
      .where(eq(organizations.id, delivery.organizationId));
    let error: string | null = null;
    if (!target?.url || !target.secret) {
      error = "the organization no longer has an approval webhook";
    } else {
      const body = JSON.stringify(delivery.payload);
      const timestamp = Math.floor(now().getTime() / 1000);
      try {
        const response = await fetch(target.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, body),
            [WEBHOOK_DELIVERY_HEADER]: delivery.id,
          },
          body,
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (!response.ok) error = `the receiver answered ${response.status}`;
      } catch (caught) {
        error = `could not reach the receiver: ${(caught as Error).message}`;
      }
    }
    if (error === null) {
      await db.update(webhookDeliveries).set({ status: "delivered", deliveredAt: now(), lastError: null }).where(eq(webhookDeliveries.id, delivery.id));
      return;
    }
    const givingUp = delivery.attempts >= config.maxAttempts || !target?.url;
    const backoff = Math.min(config.retryBaseMs * 2 ** (delivery.attempts - 1), MAX_BACKOFF_MS);
    await db
      .update(webhookDeliveries)
      .set({ status: givingUp ? "failed" : "pending", lastError: error, nextAttemptAt: new Date(now().getTime() + backoff) })
      .where(eq(webhookDeliveries.id, delivery.id));
    if (givingUp) config.log("warn", "approval webhook given up", { deliveryId: delivery.id, attempts: delivery.attempts, error });
  }

  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    // A failed round (the database is away) is tried again on the next tick; claims lapse on their own.
    running = running
      .then(async () => {
        const claimed = await claim();
        await Promise.all(claimed.map(send));
      })
      .catch(() => {});
  }, config.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
