import { approvalPage, listApprovals, listApprovalsInput } from "../actions/approvals";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const approvalsRouter = createTRPCRouter({
  list: sectionProcedure("approvals").input(listApprovalsInput).output(approvalPage).query(listApprovals),
});
