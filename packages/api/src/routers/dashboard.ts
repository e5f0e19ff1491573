import { dashboardSummary, getDashboardSummary } from "../actions/dashboard";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const dashboardRouter = createTRPCRouter({
  summary: sectionProcedure("dashboards").output(dashboardSummary).query(({ ctx }) => getDashboardSummary({ ctx, input: undefined })),
});
