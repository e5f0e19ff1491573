import type { Metadata } from "next";
import { summaryDays } from "@tollgate/api";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { Charts } from "./charts";
import { Summary } from "./summary";

export const metadata: Metadata = { title: "Dashboards" };

export default async function DashboardsPage() {
  await requireSection("dashboards");
  const queryClient = getQueryClient();
  await Promise.all([queryClient.prefetchQuery(trpc.dashboard.summary.queryOptions()), queryClient.prefetchQuery(trpc.dashboard.timeline.queryOptions())]);
  return (
    <>
      <PageHeader title="Dashboards" description={`Your organization at a glance: agents, and the last ${summaryDays} days of decisions and spend.`} />
      <HydrateClient>
        <Summary />
        <Charts />
      </HydrateClient>
    </>
  );
}
