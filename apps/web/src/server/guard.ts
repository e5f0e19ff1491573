import { canOpen, type Section } from "@tollgate/api";
import { forbidden, redirect } from "next/navigation";
import { sectionPages } from "@/navigation";
import { getConsoleSession } from "./auth";

/**
 * The page guard: the signed-in session if its role may open `section` (per `sectionsByRole`),
 * else a redirect to sign in or the 403 page. The tRPC procedures behind the page refuse the
 * same roles on their own.
 */
export async function requireSection(section: Section) {
  const session = await getConsoleSession();
  if (!session) redirect(`/signin?callbackUrl=${encodeURIComponent(sectionPages[section].href)}`);
  if (!canOpen(session.role, section)) forbidden();
  return session;
}
