import { sql, type SQL } from "drizzle-orm";
import { bigint, char, check, text, timestamp, unique, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";

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

/** A secret credential kept as its SHA-256 and visible prefix (`tg_` + 8 characters): agent keys, admin tokens. */
export const credentialColumns = () => ({
  prefix: text().notNull(),
  hash: text().notNull(),
  createdAt: createdAt(),
  expiresAt: at(),
  revokedAt: at(),
  lastUsedAt: at(),
});

/** A credential table's constraints, named after it: prefix and hash unique and well-formed, expiry after creation. */
export const credentialConstraints = (table: string, t: { prefix: AnyPgColumn; hash: AnyPgColumn; createdAt: AnyPgColumn; expiresAt: AnyPgColumn }) => [
  unique(`${table}_prefix_key`).on(t.prefix),
  unique(`${table}_hash_key`).on(t.hash),
  check(`${table}_prefix_format`, sql`${t.prefix} ~ '^tg_[A-Za-z0-9]{8}$'`),
  check(`${table}_hash_format`, sql`${t.hash} ~ '^[0-9a-f]{64}$'`),
  check(`${table}_expiry_after_creation`, sql`${t.expiresAt} is null or ${t.expiresAt} > ${t.createdAt}`),
];
