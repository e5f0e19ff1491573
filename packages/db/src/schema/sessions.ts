import { sql } from "drizzle-orm";
import { check, foreignKey, index, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { at, createdAt, id } from "./columns";
import { organizationId } from "./organizations";

export const sessionStatus = pgEnum("session_status", ["open", "tripped"]);

/**
 * One run of an agent, named by the agent (`sessionId` in a decision request). A session
 * whose calls keep failing trips a circuit breaker that only a human resets.
 */
export const agentSessions = pgTable(
  "agent_sessions",
  {
    id: id(),
    organizationId: organizationId(),
    agentId: uuid().notNull(),
    externalId: text().notNull(),
    status: sessionStatus().notNull().default("open"),
    trippedAt: at(),
    trippedReason: text(),
    startedAt: createdAt(),
    lastSeenAt: at().notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: "agent_sessions_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    unique("agent_sessions_organization_id_id_key").on(t.organizationId, t.id),
    unique("agent_sessions_agent_id_external_id_key").on(t.agentId, t.externalId),
    check("agent_sessions_external_id_length", sql`length(${t.externalId}) between 1 and 200`),
    check("agent_sessions_tripped_consistent", sql`(${t.status} = 'tripped') = (${t.trippedAt} is not null)`),
    index("agent_sessions_organization_last_seen_idx").on(t.organizationId, t.lastSeenAt.desc()),
  ],
);
