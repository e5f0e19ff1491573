import { auditChainCheck, auditEventPage, listAuditEvents, listAuditEventsInput, verifyAuditLog } from "../actions/audit";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: sectionProcedure("audit").input(listAuditEventsInput).output(auditEventPage).query(listAuditEvents),
  verify: sectionProcedure("audit").output(auditChainCheck).query(verifyAuditLog),
});
