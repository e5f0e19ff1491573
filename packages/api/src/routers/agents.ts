import { createAgentKey, createAgentKeyInput, createdAgentKey, revokeAgentKey, revokeAgentKeyInput, revokedAgentKey } from "../actions/agent-keys";
import { agentIdInput, previewSuspension, resumeAgent, statusChange, suspendAgent, suspendAgentInput, suspensionPreview } from "../actions/agent-status";
import { agentByIdInput, agentDetail, agentPage, getAgent, listAgents, listAgentsInput } from "../actions/agents";
import { adminProcedure, createTRPCRouter, sectionProcedure } from "../trpc";

const agentsProcedure = sectionProcedure("agents");

export const agentsRouter = createTRPCRouter({
  list: agentsProcedure.input(listAgentsInput).output(agentPage).query(listAgents),
  byId: agentsProcedure.input(agentByIdInput).output(agentDetail).query(getAgent),
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
