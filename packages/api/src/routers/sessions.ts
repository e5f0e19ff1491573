import { listSessions, listSessionsInput, resetSession, resetSessionInput, resetSessionOutput, sessionPage } from "../actions/sessions";
import { getSessionStory, sessionStory, sessionStoryInput } from "../actions/session-story";
import { adminProcedure, createTRPCRouter, sectionProcedure } from "../trpc";

export const sessionsRouter = createTRPCRouter({
  list: sectionProcedure("sessions").input(listSessionsInput).output(sessionPage).query(listSessions),
  story: sectionProcedure("sessions").input(sessionStoryInput).output(sessionStory).query(getSessionStory),
  reset: adminProcedure.input(resetSessionInput).output(resetSessionOutput).mutation(resetSession),
});
