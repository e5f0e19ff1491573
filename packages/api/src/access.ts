import { userRole, type UserRole } from "@tollgate/db";

/** The console's sections, each a page and the read procedures behind it. */
export const sections = ["agents", "policies", "delegations", "approvals", "sessions", "dashboards", "audit", "workers"] as const;
export type Section = (typeof sections)[number];

/**
 * Which sections each role may open, in the order its navigation lists them. This is the one
 * place access is written down: the console's navigation and page guards and the tRPC
 * procedures behind each section all read it.
 * - admin runs the organization: everything.
 * - reviewer answers approvals; sessions and dashboards give the context for a decision.
 * - manager reads spend and behaviour (read-only): dashboards, agents, sessions, audit.
 */
export const sectionsByRole = {
  admin: ["agents", "policies", "delegations", "approvals", "sessions", "dashboards", "audit", "workers"],
  reviewer: ["approvals", "sessions", "dashboards"],
  manager: ["dashboards", "agents", "sessions", "audit"],
} as const satisfies Record<UserRole, readonly Section[]>;

/** Whether `role` may open `section`. */
export function canOpen(role: UserRole, section: Section): boolean {
  return (sectionsByRole[role] as readonly Section[]).includes(section);
}

/** The roles that may open `section`, e.g. `rolesFor("policies")` is `["admin"]`. */
export function rolesFor(section: Section): UserRole[] {
  return userRole.enumValues.filter((role) => canOpen(role, section));
}
