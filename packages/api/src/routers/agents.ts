import { agentByIdInput, agentDetail, agentPage, getAgent, listAgents, listAgentsInput } from "../actions/agents";
import { createTRPCRouter, sectionProcedure } from "../trpc";

const agentsProcedure = sectionProcedure("agents");

export const agentsRouter = createTRPCRouter({
  list: agentsProcedure.input(listAgentsInput).output(agentPage).query(listAgents),
  byId: agentsProcedure.input(agentByIdInput).output(agentDetail).query(getAgent),
});
