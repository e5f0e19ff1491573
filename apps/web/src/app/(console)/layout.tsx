import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { Badge } from "@/components/badge";
import { Logo } from "@/components/logo";
import { OrganizationTimeZone } from "@/components/organization";
import { SidebarNav } from "@/components/sidebar-nav";
import { SignOutButton } from "@/components/sign-out-button";
import { navigationFor } from "@/navigation";
import { getConsoleSession } from "@/server/auth";
import { getQueryClient, trpc } from "@/trpc/server";

/** The signed-in console: the sections the role may open on the left, the organization and user on top. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await getConsoleSession();
  if (!session) redirect("/signin");
  const me = await getQueryClient().fetchQuery(trpc.me.get.queryOptions());

  return (
    <div className="flex min-h-screen">
      <aside className="w-60 shrink-0 bg-slate-900">
        <div className="sticky top-0 flex h-screen flex-col px-3 py-5">
          <Logo className="px-3 text-lg text-white" />
          <div className="mt-8 px-3 text-[11px] font-semibold uppercase tracking-wider text-slate-500">Console</div>
          <div className="mt-2">
            <SidebarNav items={navigationFor(session.role)} />
          </div>
          <p className="mt-auto px-3 text-xs text-slate-500">Times in {me.organization.timeZone}</p>
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-16 items-center justify-between border-b border-slate-200 bg-white px-8">
          <div className="flex items-center gap-3">
            <span className="grid size-8 place-items-center rounded-md bg-indigo-50 text-sm font-semibold text-indigo-700" aria-hidden="true">
              {me.organization.name.slice(0, 1).toUpperCase()}
            </span>
            <span className="font-semibold text-slate-900" data-testid="organization-name">
              {me.organization.name}
            </span>
          </div>
          <div className="flex items-center gap-4">
            <div className="text-right leading-tight" data-testid="signed-in-user">
              <div className="text-sm font-medium text-slate-900">{me.name}</div>
              <div className="text-xs text-slate-500">{me.email}</div>
            </div>
            <Badge tone="info">{me.role}</Badge>
            {me.role === "admin" && (
              <Link href="/settings/tokens" className="text-sm font-medium text-slate-600 hover:text-slate-900">
                API tokens
              </Link>
            )}
            <SignOutButton />
          </div>
        </header>
        <main className="mx-auto w-full max-w-7xl flex-1 px-8 py-8">
          <OrganizationTimeZone timeZone={me.organization.timeZone}>{children}</OrganizationTimeZone>
        </main>
      </div>
    </div>
  );
}
