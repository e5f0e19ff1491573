import { getTableColumns, sql, type SQL } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import type { PgTable } from "drizzle-orm/pg-core";

/** A column's name in the database, as the client's `casing: "snake_case"` names it. */
const columnName = (column: { name: string; keyAsName: boolean }) => (column.keyAsName ? toSnakeCase(column.name) : column.name);

/**
 * Many rows of `table` as one relation, from one JSON parameter: `json_to_recordset(…) as
 * <alias>(<column> <type>, …)`, the column list and types read from the drizzle table, so they are
 * never spelled twice. For hot-path batch writes: a drizzle multi-row insert binds one parameter
 * per cell and costs ~0.1 ms of CPU per row to build; this costs one `JSON.stringify`.
 *
 * `rows` use the table's property names; `extra` declares more fields the statement needs that
 * are not columns of `table` (`{ sessionExternalId: "text" }`).
 */
export function recordset<T extends PgTable>(
  table: T,
  rows: readonly object[],
  alias: string,
  extra: Record<string, string> = {},
): { from: SQL; columns: string[] } {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: columnName(column), type: column.getSQLType() }));
  const fields = [...columns, ...Object.entries(extra).map(([key, type]) => ({ key, name: toSnakeCase(key), type }))];
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(fields.map((field) => [field.name, (row as Record<string, unknown>)[field.key] ?? null]))));
  const definition = fields.map((field) => `${field.name} ${field.type}`).join(", ");
  return { from: sql`json_to_recordset(${json}::json) as ${sql.raw(alias)}(${sql.raw(definition)})`, columns: columns.map((column) => column.name) };
}

/** Rows of a raw `execute`, which postgres.js returns as an array and PGlite as `{ rows }`. */
export const resultRows = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
