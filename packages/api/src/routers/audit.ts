import { auditChainCheck, auditEventPage, auditExport, auditFilter, exportAuditEvents, listAuditEvents, listAuditEventsInput, verifyAuditLog } from "../actions/audit";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: sectionProcedure("audit").input(listAuditEventsInput).output(auditEventPage).query(listAuditEvents),
  export: sectionProcedure("audit").input(auditFilter).output(auditExport).query(exportAuditEvents),
  verify: sectionProcedure("audit").output(auditChainCheck).query(verifyAuditLog),
});
