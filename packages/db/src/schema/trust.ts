import { relations, sql } from "drizzle-orm";
import { bigserial, check, foreignKey, index, integer, jsonb, pgTable, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { agents } from "./agents";
import { at } from "./columns";
import { organizationId } from "./organizations";

const inScoreRange = (column: AnyPgColumn) => sql`${column} between 300 and 850`;

/** An agent's current trust score (300–850) with the top reasons that moved it. */
export const trustScores = pgTable(
  "trust_scores",
  {
    agentId: uuid().primaryKey(),
    organizationId: organizationId(),
    score: integer().notNull(),
    /** `[{ code, message, points }]`, largest effect first, like a credit report. */
    reasons: jsonb().notNull().default(sql`'[]'::jsonb`),
    computedAt: at().notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: "trust_scores_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    check("trust_scores_range", inScoreRange(t.score)),
  ],
);

/** Every score an agent has had, for its history chart. */
export const trustScoreHistory = pgTable(
  "trust_score_history",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    organizationId: organizationId(),
    agentId: uuid().notNull(),
    score: integer().notNull(),
    reasons: jsonb().notNull().default(sql`'[]'::jsonb`),
    computedAt: at().notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: "trust_score_history_agent_fk",
      columns: [t.organizationId, t.agentId],
      foreignColumns: [agents.organizationId, agents.id],
    }).onDelete("cascade"),
    check("trust_score_history_range", inScoreRange(t.score)),
    index("trust_score_history_agent_idx").on(t.agentId, t.computedAt),
    index("trust_score_history_organization_idx").on(t.organizationId, t.computedAt),
  ],
);

export const trustScoresRelations = relations(trustScores, ({ one }) => ({
  agent: one(agents, { fields: [trustScores.agentId], references: [agents.id] }),
}));
