import type { Metadata } from "next";
import Link from "next/link";
import { dashboardWindows, defaultDashboardDays } from "@tollgate/api";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { textParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { Charts } from "./charts";
import { DenialReasonsChart } from "./denial-reasons";
import { EnvelopeBurnDown } from "./envelope-burn-down";
import { SpendBreakdownChart } from "./spend-breakdown";
import { Summary } from "./summary";
import { TrustHistoryChart } from "./trust-history";

export const metadata: Metadata = { title: "Dashboards" };

/** The spend breakdown the page opens with. */
const firstBreakdown = "agent";

export default async function DashboardsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireSection("dashboards");
  const asked = Number(textParam(await searchParams, "days"));
  // A window the page does not offer (or none) shows the default rather than an error.
  const days = dashboardWindows.find((window) => window === asked) ?? defaultDashboardDays;
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(trpc.dashboard.summary.queryOptions({ days })),
    queryClient.prefetchQuery(trpc.dashboard.timeline.queryOptions({ days })),
    queryClient.prefetchQuery(trpc.dashboard.spend.queryOptions({ days, by: firstBreakdown })),
    queryClient.prefetchQuery(trpc.dashboard.denials.queryOptions({ days })),
    queryClient.prefetchQuery(trpc.dashboard.envelopes.queryOptions({ page: 1 })),
    queryClient.prefetchQuery(trpc.dashboard.trust.queryOptions({ days })),
  ]);
  return (
    <>
      <PageHeader title="Dashboards" description={`Your organization at a glance: agents, and the last ${days} days of decisions and spend.`} />
      <nav aria-label="Window" className="mb-4 flex gap-2 text-sm">
        {dashboardWindows.map((window) => (
          <Link
            key={window}
            href={window === defaultDashboardDays ? "/dashboards" : `/dashboards?days=${window}`}
            aria-current={window === days ? "page" : undefined}
            className={`rounded-md border px-3 py-1 font-medium ${window === days ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
          >
            {window} days
          </Link>
        ))}
      </nav>
      <HydrateClient>
        <Summary days={days} />
        <Charts days={days} />
        <div className="mt-4 grid gap-4 xl:grid-cols-2">
          <SpendBreakdownChart days={days} initialBy={firstBreakdown} />
          <DenialReasonsChart days={days} />
          <EnvelopeBurnDown />
          <TrustHistoryChart days={days} />
        </div>
      </HydrateClient>
    </>
  );
}
