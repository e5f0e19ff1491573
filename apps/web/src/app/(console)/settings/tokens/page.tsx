import type { Metadata } from "next";
import { forbidden, redirect } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { getConsoleSession } from "@/server/auth";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { AdminTokensTable, NewTokenForm } from "./admin-tokens";

export const metadata: Metadata = { title: "API tokens" };

export default async function AdminTokensPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await getConsoleSession();
  if (!session) redirect(`/signin?callbackUrl=${encodeURIComponent("/settings/tokens")}`);
  // A token acts as its admin, so only admins hold them (`adminTokens.*` refuse other roles too).
  if (session.role !== "admin") forbidden();
  const input = { page: pageParam(await searchParams) };
  await getQueryClient().prefetchQuery(trpc.adminTokens.list.queryOptions(input));
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Your tokens for the tollgate CLI and scripts: each acts as you, in this organization, until it expires or you revoke it."
      />
      <HydrateClient>
        <NewTokenForm />
        <AdminTokensTable input={input} />
      </HydrateClient>
      <p className="mt-6 text-sm text-slate-500">
        Use one with the CLI: <code className="font-mono text-xs text-slate-700">TOLLGATE_CONSOLE_URL=… TOLLGATE_TOKEN=tg_… tollgate plan -f tollgate.yaml</code>
      </p>
    </>
  );
}
