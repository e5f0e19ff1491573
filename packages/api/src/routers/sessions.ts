import { listSessions, listSessionsInput, sessionPage } from "../actions/sessions";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const sessionsRouter = createTRPCRouter({
  list: sectionProcedure("sessions").input(listSessionsInput).output(sessionPage).query(listSessions),
});
