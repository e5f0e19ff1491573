import {
  dashboardRange,
  dashboardSummary,
  dashboardTimeline,
  defaultDashboardDays,
  getDashboardSummary,
  getDashboardTimeline,
  type DashboardRange,
} from "../actions/dashboard";
import { denialReasons, getDenialReasons } from "../actions/dashboard-denials";
import { envelopeBurnDown, envelopeBurnDownInput, getEnvelopeBurnDown } from "../actions/dashboard-envelopes";
import { getSpendBreakdown, spendBreakdown, spendBreakdownInput } from "../actions/dashboard-spend";
import { getTrustHistory, trustHistory, trustHistoryInput } from "../actions/dashboard-trust";
import { createTRPCRouter, sectionProcedure } from "../trpc";

// The window is optional: without one, the dashboards show the last 30 days.
const range = dashboardRange.optional();
const withDefault = <Input extends Partial<DashboardRange>>(input: Input | undefined = {} as Input): Input & DashboardRange => ({ ...input, days: input.days ?? defaultDashboardDays });

export const dashboardRouter = createTRPCRouter({
  summary: sectionProcedure("dashboards").input(range).output(dashboardSummary).query(({ ctx, input }) => getDashboardSummary({ ctx, input: withDefault(input) })),
  timeline: sectionProcedure("dashboards").input(range).output(dashboardTimeline).query(({ ctx, input }) => getDashboardTimeline({ ctx, input: withDefault(input) })),
  spend: sectionProcedure("dashboards")
    .input(spendBreakdownInput.partial({ days: true }))
    .output(spendBreakdown)
    .query(({ ctx, input }) => getSpendBreakdown({ ctx, input: withDefault(input) })),
  denials: sectionProcedure("dashboards").input(range).output(denialReasons).query(({ ctx, input }) => getDenialReasons({ ctx, input: withDefault(input) })),
  // The current period of each envelope, whatever the window: a burn-down is about this period.
  envelopes: sectionProcedure("dashboards").input(envelopeBurnDownInput).output(envelopeBurnDown).query(({ ctx, input }) => getEnvelopeBurnDown({ ctx, input })),
  trust: sectionProcedure("dashboards")
    .input(trustHistoryInput.partial({ days: true }).optional())
    .output(trustHistory)
    .query(({ ctx, input }) => getTrustHistory({ ctx, input: withDefault(input) })),
});
