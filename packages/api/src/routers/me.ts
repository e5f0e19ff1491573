import { getMe, me } from "../actions/me";
import { createTRPCRouter, signedInProcedure } from "../trpc";

export const meRouter = createTRPCRouter({
  /** The signed-in user with their role and organization (name, time zone). */
  get: signedInProcedure.output(me).query(({ ctx }) => getMe({ ctx, input: undefined })),
});
