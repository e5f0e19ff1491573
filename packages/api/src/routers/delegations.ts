import { agentIdInput } from "../actions/agent-status";
import { createDelegation, createDelegationInput, delegationChange, revokeDelegation, revokeDelegationInput } from "../actions/delegation-changes";
import { delegationGraph, getDelegationGraph } from "../actions/delegation-graph";
import { delegableScope, getDelegableScope } from "../actions/delegation-scope";
import { delegationPage, listDelegations, listDelegationsInput } from "../actions/delegations";
import { adminProcedure, createTRPCRouter, sectionProcedure } from "../trpc";

const delegationsProcedure = sectionProcedure("delegations");

export const delegationsRouter = createTRPCRouter({
  list: delegationsProcedure.input(listDelegationsInput).output(delegationPage).query(listDelegations),
  graph: delegationsProcedure.output(delegationGraph).query(getDelegationGraph),
  // What an agent may pass on, for the create form's picker: only admins create, so only they ask.
  delegableScope: adminProcedure.input(agentIdInput).output(delegableScope).query(getDelegableScope),
  create: adminProcedure.input(createDelegationInput).output(delegationChange).mutation(createDelegation),
  // Revoking cascades to every delegation re-delegated from the revoked one.
  revoke: adminProcedure.input(revokeDelegationInput).output(delegationChange).mutation(revokeDelegation),
});
