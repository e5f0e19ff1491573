import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { agents, apiKeys, organizations, users } from "./schema";

// Row types and validators come from the tables, never written twice.
export const organizationRow = createSelectSchema(organizations);
export const userRow = createSelectSchema(users);
export const agentRow = createSelectSchema(agents);
export const newAgent = createInsertSchema(agents);
export const apiKeyRow = createSelectSchema(apiKeys);

export type Organization = typeof organizations.$inferSelect;
export type User = typeof users.$inferSelect;
export type UserRole = User["role"];
export type Agent = typeof agents.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;

/**
 * A row's amount and currency columns (nullable together, `bothOrNeither`) as money, or null when
 * the row has none: a call that named no money, a delegation without a budget.
 */
export function moneyOrNull(amount: number | null, currency: string | null): { amount: number; currency: string } | null {
  return amount === null || currency === null ? null : { amount, currency };
}
