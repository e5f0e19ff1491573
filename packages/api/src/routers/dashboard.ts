import { dashboardSummary, dashboardTimeline, getDashboardSummary, getDashboardTimeline } from "../actions/dashboard";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const dashboardRouter = createTRPCRouter({
  summary: sectionProcedure("dashboards").output(dashboardSummary).query(({ ctx }) => getDashboardSummary({ ctx, input: undefined })),
  timeline: sectionProcedure("dashboards").output(dashboardTimeline).query(({ ctx }) => getDashboardTimeline({ ctx, input: undefined })),
});
