import {
  appliedFile,
  applyTollgateFile,
  exportedFile,
  exportTollgateFile,
  planInput,
  planTollgateFile,
  tollgateFileInput,
  tollgatePlan,
} from "../actions/tollgate-file";
import { adminProcedure, createTRPCRouter, sectionProcedure } from "../trpc";

const policiesProcedure = sectionProcedure("policies");

/** Policy as code (the `tollgate` CLI): a whole `tollgate.yaml` planned, applied and exported. */
export const tollgateFileRouter = createTRPCRouter({
  plan: policiesProcedure.input(planInput).output(tollgatePlan).query(planTollgateFile),
  // `apply` is a reserved word in a tRPC router; publishing is what applying the file does.
  publish: adminProcedure.input(tollgateFileInput).output(appliedFile).mutation(applyTollgateFile),
  export: policiesProcedure.output(exportedFile).query(({ ctx }) => exportTollgateFile({ ctx, input: undefined })),
});
