import { sectionsByRole, type Section } from "@tollgate/api";
import type { UserRole } from "@tollgate/db";

/** How each console section appears in the navigation. Who sees which is `sectionsByRole` (in @tollgate/api). */
export const sectionPages = {
  agents: { label: "Agents", href: "/agents" },
  policies: { label: "Policies", href: "/policies" },
  delegations: { label: "Delegations", href: "/delegations" },
  approvals: { label: "Approvals", href: "/approvals" },
  sessions: { label: "Sessions", href: "/sessions" },
  dashboards: { label: "Dashboards", href: "/dashboards" },
  audit: { label: "Audit", href: "/audit" },
  workers: { label: "Workers", href: "/workers" },
} as const satisfies Record<Section, { label: string; href: string }>;

export interface NavigationItem {
  section: Section;
  label: string;
  href: string;
}

/** The navigation `role` sees, in its order; the page guards allow exactly these sections. */
export function navigationFor(role: UserRole): NavigationItem[] {
  return sectionsByRole[role].map((section) => ({ section, ...sectionPages[section] }));
}
