import {
  dashboardRange,
  dashboardSummary,
  dashboardTimeline,
  defaultDashboardDays,
  getDashboardSummary,
  getDashboardTimeline,
  type DashboardRange,
} from "../actions/dashboard";
import { createTRPCRouter, sectionProcedure } from "../trpc";

// The window is optional: without one, the dashboards show the last 30 days.
const range = dashboardRange.optional();
const withDefault = (input: DashboardRange | undefined): DashboardRange => ({ days: input?.days ?? defaultDashboardDays });

export const dashboardRouter = createTRPCRouter({
  summary: sectionProcedure("dashboards").input(range).output(dashboardSummary).query(({ ctx, input }) => getDashboardSummary({ ctx, input: withDefault(input) })),
  timeline: sectionProcedure("dashboards").input(range).output(dashboardTimeline).query(({ ctx, input }) => getDashboardTimeline({ ctx, input: withDefault(input) })),
});
