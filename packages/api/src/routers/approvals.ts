import { approvalPage, decideApproval, decideApprovalInput, decidedApproval, listApprovals, listApprovalsInput } from "../actions/approvals";
import { createTRPCRouter, roleProcedure, sectionProcedure } from "../trpc";

export const approvalsRouter = createTRPCRouter({
  list: sectionProcedure("approvals").input(listApprovalsInput).output(approvalPage).query(listApprovals),
  decide: roleProcedure("reviewer", "admin").input(decideApprovalInput).output(decidedApproval).mutation(decideApproval),
});
