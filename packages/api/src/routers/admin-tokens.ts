import {
  adminTokenPage,
  createAdminToken,
  createAdminTokenInput,
  createdAdminToken,
  listAdminTokens,
  listAdminTokensInput,
  revokeAdminToken,
  revokeAdminTokenInput,
  revokedAdminToken,
} from "../actions/admin-tokens";
import { adminProcedure, createTRPCRouter } from "../trpc";

/** The signed-in admin's own API tokens, for the `tollgate` CLI and scripts. */
export const adminTokensRouter = createTRPCRouter({
  list: adminProcedure.input(listAdminTokensInput).output(adminTokenPage).query(listAdminTokens),
  create: adminProcedure.input(createAdminTokenInput).output(createdAdminToken).mutation(createAdminToken),
  revoke: adminProcedure.input(revokeAdminTokenInput).output(revokedAdminToken).mutation(revokeAdminToken),
});
