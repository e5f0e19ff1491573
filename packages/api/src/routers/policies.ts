import { listPolicies, listPoliciesInput, policyPage } from "../actions/policies";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const policiesRouter = createTRPCRouter({
  list: sectionProcedure("policies").input(listPoliciesInput).output(policyPage).query(listPolicies),
});
