import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { getConsoleSession } from "@/server/auth";
import type { SearchParams } from "@/server/search-params";
import { textParam } from "@/server/search-params";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

/** Only a path on this site is a place to return to after signing in. */
function safeCallback(value: string | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(textParam(params, "callbackUrl"));
  if (await getConsoleSession()) redirect(callbackUrl);
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-100 to-slate-200 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <Logo className="text-2xl text-slate-900" />
          <p className="mt-2 text-sm text-slate-500">What your AI agents may do and spend.</p>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
          <h1 className="text-lg font-semibold text-slate-900">Sign in to your console</h1>
          <SignInForm callbackUrl={callbackUrl} />
        </div>
      </div>
    </main>
  );
}
