import { delegationPage, listDelegations, listDelegationsInput } from "../actions/delegations";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const delegationsRouter = createTRPCRouter({
  list: sectionProcedure("delegations").input(listDelegationsInput).output(delegationPage).query(listDelegations),
});
