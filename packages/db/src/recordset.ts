import { getTableColumns, sql, type SQL } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import type { PgTable } from "drizzle-orm/pg-core";

/** A column's name in the database, as the client's `casing: "snake_case"` names it. */
const columnName = (column: { name: string; keyAsName: boolean }) => (column.keyAsName ? toSnakeCase(column.name) : column.name);

/**
 * Many rows of `table` as one relation, from one JSON parameter: `json_to_recordset(…)` read by
 * the rows' property names and renamed to the table's column names, with the types read from the
 * drizzle table, so they are never spelled twice. For hot-path batch writes: a drizzle multi-row
 * insert binds one parameter per cell and costs ~0.1 ms of CPU per row to build; this costs one
 * `JSON.stringify` of the rows as they are (copying each row into a column-named object first
 * cost ~4.5 µs a row).
 *
 * `rows` use the table's property names; `extra` declares more fields the statement needs that
 * are not columns of `table` (`{ sessionExternalId: "text" }`). A field a row lacks, or holds as
 * undefined, is NULL; properties that are neither columns nor `extra` are ignored.
 */
export function recordset<T extends PgTable>(
  table: T,
  rows: readonly object[],
  alias: string,
  extra: Record<string, string> = {},
): { from: SQL; columns: string[] } {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: columnName(column), type: column.getSQLType() }));
  const fields = [...columns, ...Object.entries(extra).map(([key, type]) => ({ key, name: toSnakeCase(key), type }))];
  const definition = fields.map((field) => `${quoted(field.key)} ${field.type}`).join(", ");
  const renamed = fields.map((field) => `${quoted(field.key)} as ${field.name}`).join(", ");
  return {
    from: sql`(select ${sql.raw(renamed)} from json_to_recordset(${JSON.stringify(rows)}::json) as json_rows(${sql.raw(definition)})) as ${sql.raw(alias)}`,
    columns: columns.map((column) => column.name),
  };
}

/** A property name as a quoted SQL identifier: json_to_recordset matches it case and all. */
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows of a raw `execute`, which postgres.js returns as an array and PGlite as `{ rows }`. */
export const resultRows = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
