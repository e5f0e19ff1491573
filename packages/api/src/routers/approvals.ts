import { approvalQueue, approvalQueueUpdates, readApprovalQueue } from "../actions/approval-queue";
import { readRecentApprovals, recentApprovals } from "../actions/approval-latency";
import { approvalSettings, approvalSettingsView, approvalWebhookInput, readApprovalSettings, setApprovalWebhook, updateApprovalSettings } from "../actions/approval-settings";
import { approvalPage, decideApproval, decideApprovalInput, decidedApproval, listApprovals, listApprovalsInput } from "../actions/approvals";
import { adminProcedure, createTRPCRouter, roleProcedure, sectionProcedure } from "../trpc";

export const approvalsRouter = createTRPCRouter({
  list: sectionProcedure("approvals").input(listApprovalsInput).output(approvalPage).query(listApprovals),
  queue: sectionProcedure("approvals").output(approvalQueue).query(readApprovalQueue),
  /** The queue again whenever it changes, over server-sent events. */
  live: sectionProcedure("approvals").subscription(({ ctx, signal }) => approvalQueueUpdates({ ctx, signal })),
  recent: sectionProcedure("approvals").output(recentApprovals).query(readRecentApprovals),
  decide: roleProcedure("reviewer", "admin").input(decideApprovalInput).output(decidedApproval).mutation(decideApproval),
  // Admins only: a webhook URL (Slack's, say) is itself a credential.
  settings: adminProcedure.output(approvalSettingsView).query(readApprovalSettings),
  updateSettings: adminProcedure.input(approvalSettings).output(approvalSettingsView).mutation(updateApprovalSettings),
  setWebhook: adminProcedure.input(approvalWebhookInput).output(approvalSettingsView).mutation(setApprovalWebhook),
});
