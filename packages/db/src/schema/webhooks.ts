import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, jsonb, pgEnum, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { approvals } from "./approvals";
import { at, createdAt, id } from "./columns";
import { organizationId } from "./organizations";

export const webhookEvent = pgEnum("webhook_event", ["approval.pending", "approval.expired"]);
export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", ["pending", "delivered", "failed"]);

/**
 * The outbox of approval webhooks: written in the same transaction as the change it announces,
 * so none is lost to a crash, and sent (at least once, retried with backoff) by any worker.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    organizationId: organizationId(),
    approvalId: uuid().notNull(),
    event: webhookEvent().notNull(),
    /** The exact JSON body sent, so every retry carries the same bytes. */
    payload: jsonb().notNull(),
    status: webhookDeliveryStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    /** When a sender may next try; claiming a delivery pushes it out, so a crashed sender's claim lapses. */
    nextAttemptAt: at().notNull().defaultNow(),
    lastError: text(),
    deliveredAt: at(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "webhook_deliveries_approval_fk",
      columns: [t.organizationId, t.approvalId],
      foreignColumns: [approvals.organizationId, approvals.id],
    }).onDelete("cascade"),
    check("webhook_deliveries_delivered_consistent", sql`(${t.status} = 'delivered') = (${t.deliveredAt} is not null)`),
    check("webhook_deliveries_attempts", sql`${t.attempts} >= 0`),
    // The senders' scan: pending deliveries by when they are due.
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);
