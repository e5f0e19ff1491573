import type { approvals, Organization } from "@tollgate/db";

type Approval = Pick<typeof approvals.$inferSelect, "amount" | "currency">;
type ApprovalSettings = Pick<Organization, "dualApprovalAbove" | "dualApprovalCurrency">;

/**
 * How many distinct reviewers must approve: two above the organization's dual-approval amount.
 * An amount in another currency cannot be compared without a rate, so it takes two as well; a
 * call that names no money is never above it.
 */
export function approvalsRequired(organization: ApprovalSettings, approval: Approval): 1 | 2 {
  const { dualApprovalAbove: above, dualApprovalCurrency: currency } = organization;
  if (above === null || currency === null || approval.amount === null) return 1;
  return approval.currency !== currency || approval.amount > above ? 2 : 1;
}
