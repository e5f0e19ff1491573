import { auditEventPage, listAuditEvents, listAuditEventsInput } from "../actions/audit";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: sectionProcedure("audit").input(listAuditEventsInput).output(auditEventPage).query(listAuditEvents),
});
