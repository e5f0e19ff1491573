import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";

// What travels on the wire, shared by every router's input and output schemas.

/** Times travel as ISO 8601 strings: the wire format is JSON, and this keeps that explicit. */
export const isoTime = z.date().transform((date) => date.toISOString());

/** Money is an integer of minor units with its ISO 4217 currency: `{ amount: 1250, currency: "USD" }` is $12.50. */
export const money = z.object({ amount: z.number().int(), currency: z.string().regex(/^[A-Z]{3}$/) });
export type Money = z.infer<typeof money>;

/** Page `page` (from 1) of `pageSize` rows. */
export const pageInput = z.object({
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type PageInput = z.infer<typeof pageInput>;

/** One page of `item`s plus the total, so a table can show "26–50 of 135". */
export const pageOf = <Item extends z.ZodType>(item: Item) =>
  z.object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });

/** The SQL `limit` and `offset` of a page. */
export const rowsOf = ({ page, pageSize }: PageInput) => ({ limit: pageSize, offset: (page - 1) * pageSize });

/** `column ilike %text%`, with `%`, `_` and `\` in the user's text matched literally. */
export function contains(column: AnyPgColumn | SQL, text: string): SQL {
  const escaped = text.replace(/[\\%_]/g, (character) => `\\${character}`);
  return sql`${column} ilike ${`%${escaped}%`}`;
}

export { moneyOrNull } from "@tollgate/db";

/** A secret credential (an agent key, an admin token) as lists show it: by prefix, never the secret. */
export const credentialSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
});
