import { createAgent, createAgentInput, createdAgent } from "../actions/agent-create";
import { agentOverview, getAgentOverview } from "../actions/agent-overview";
import { updateAgent, updateAgentInput, updatedAgent } from "../actions/agent-update";
import { createAgentKey, createAgentKeyInput, createdAgentKey, revokeAgentKey, revokeAgentKeyInput, revokedAgentKey } from "../actions/agent-keys";
import { agentIdInput, previewSuspension, resumeAgent, statusChange, suspendAgent, suspendAgentInput, suspensionPreview } from "../actions/agent-status";
import { agentByIdInput, agentDetail, agentPage, getAgent, listAgents, listAgentsInput } from "../actions/agents";
import { adminProcedure, createTRPCRouter, sectionProcedure } from "../trpc";

const agentsProcedure = sectionProcedure("agents");

export const agentsRouter = createTRPCRouter({
  list: agentsProcedure.input(listAgentsInput).output(agentPage).query(listAgents),
  byId: agentsProcedure.input(agentByIdInput).output(agentDetail).query(getAgent),
  overview: agentsProcedure.input(agentByIdInput).output(agentOverview).query(getAgentOverview),
  create: adminProcedure.input(createAgentInput).output(createdAgent).mutation(createAgent),
  update: adminProcedure.input(updateAgentInput).output(updatedAgent).mutation(updateAgent),
  keys: createTRPCRouter({
    create: adminProcedure.input(createAgentKeyInput).output(createdAgentKey).mutation(createAgentKey),
    revoke: adminProcedure.input(revokeAgentKeyInput).output(revokedAgentKey).mutation(revokeAgentKey),
  }),
  suspension: createTRPCRouter({
    preview: adminProcedure.input(agentIdInput).output(suspensionPreview).query(previewSuspension),
  }),
  // Suspension cascades to every delegate downstream; resuming names one agent only.
  suspend: adminProcedure.input(suspendAgentInput).output(statusChange).mutation(suspendAgent),
  resume: adminProcedure.input(agentIdInput).output(statusChange).mutation(resumeAgent),
});
