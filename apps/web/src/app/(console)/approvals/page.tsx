import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { choiceParam, pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { ApprovalSettingsForm } from "./approval-settings-form";
import { ApprovalWebhookForm } from "./approval-webhook-form";
import { ApprovalsTable } from "./approvals-table";
import { LiveQueue } from "./live-queue";
import { RecentApprovals } from "./recent-approvals";

export const metadata: Metadata = { title: "Approvals" };

const statuses = ["pending", "approved", "denied", "expired"] as const;

export default async function ApprovalsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSection("approvals");
  const params = await searchParams;
  const input = { page: pageParam(params), status: choiceParam(params, "status", statuses) };
  const admin = session.role === "admin";
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(trpc.approvals.queue.queryOptions()),
    queryClient.prefetchQuery(trpc.approvals.recent.queryOptions()),
    queryClient.prefetchQuery(trpc.approvals.list.queryOptions(input)),
    admin ? queryClient.prefetchQuery(trpc.approvals.settings.queryOptions()) : null,
  ]);
  return (
    <>
      <PageHeader title="Approvals" description="Spends above a threshold wait here for a human, live: soonest to expire on top. The agent hears your answer within a second." />
      <HydrateClient>
        <LiveQueue />
        <RecentApprovals />
        {admin && (
          <>
            <ApprovalSettingsForm />
            <ApprovalWebhookForm />
          </>
        )}
        <h2 className="mb-2 text-base font-semibold text-slate-900">All approvals</h2>
        <nav aria-label="Filter approvals" className="mb-4 flex gap-1 text-sm">
          {[undefined, ...statuses].map((status) => (
            <Link
              key={status ?? "all"}
              href={status ? `/approvals?status=${status}` : "/approvals"}
              aria-current={input.status === status ? "page" : undefined}
              className={`rounded-md px-3 py-1.5 font-medium capitalize ${input.status === status ? "bg-white text-slate-900 shadow-sm ring-1 ring-slate-200" : "text-slate-500 hover:text-slate-900"}`}
            >
              {status ?? "All"}
            </Link>
          ))}
        </nav>
        <ApprovalsTable input={input} />
      </HydrateClient>
    </>
  );
}
