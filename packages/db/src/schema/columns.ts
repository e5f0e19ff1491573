import { sql, type SQL } from "drizzle-orm";
import { bigint, char, timestamp, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";

/** Surrogate key: random UUIDs, so ids leak nothing about volume or order. */
export const id = () => uuid().primaryKey().defaultRandom();

/** Points in time always carry their zone; periods are computed in the organization's zone. */
export const at = () => timestamp({ withTimezone: true, mode: "date" });
export const createdAt = () => at().notNull().defaultNow();

/** Money is an integer count of minor units; JS numbers hold these exactly up to 2^53. */
export const minorUnits = () => bigint({ mode: "number" });
/** ISO 4217 alphabetic code. */
export const currencyCode = () => char({ length: 3 });

export const isCurrency = (column: AnyPgColumn): SQL => sql`${column} ~ '^[A-Z]{3}$'`;
export const isNonNegative = (column: AnyPgColumn): SQL => sql`${column} >= 0`;
export const isPositive = (column: AnyPgColumn): SQL => sql`${column} > 0`;
/** Both set or both null: an amount without a currency means nothing. */
export const bothOrNeither = (a: AnyPgColumn, b: AnyPgColumn): SQL =>
  sql`(${a} is null) = (${b} is null)`;
