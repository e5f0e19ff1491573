import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { at } from "./columns";
import { organizationId } from "./organizations";

/** A running decision worker, as it last reported itself. */
export const workers = pgTable(
  "workers",
  {
    id: text().primaryKey(),
    host: text().notNull(),
    version: text().notNull(),
    startedAt: at().notNull().defaultNow(),
    heartbeatAt: at().notNull().defaultNow(),
  },
  (t) => [index("workers_heartbeat_idx").on(t.heartbeatAt)],
);

/** Which snapshot version a worker serves for an organization, and since when. */
export const workerSnapshots = pgTable(
  "worker_snapshots",
  {
    workerId: text()
      .notNull()
      .references(() => workers.id, { onDelete: "cascade" }),
    organizationId: organizationId(),
    snapshotVersion: integer().notNull(),
    loadedAt: at().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workerId, t.organizationId] })],
);
