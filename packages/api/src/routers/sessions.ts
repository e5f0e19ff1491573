import { listSessions, listSessionsInput, resetSession, resetSessionInput, resetSessionOutput, sessionPage } from "../actions/sessions";
import { adminProcedure, createTRPCRouter, sectionProcedure } from "../trpc";

export const sessionsRouter = createTRPCRouter({
  list: sectionProcedure("sessions").input(listSessionsInput).output(sessionPage).query(listSessions),
  reset: adminProcedure.input(resetSessionInput).output(resetSessionOutput).mutation(resetSession),
});
