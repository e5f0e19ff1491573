import { redirect } from "next/navigation";
import { navigationFor } from "@/navigation";
import { getConsoleSession } from "@/server/auth";

/** The console's home is the first section the role sees. */
export default async function Home() {
  const session = await getConsoleSession();
  if (!session) redirect("/signin");
  redirect(navigationFor(session.role)[0]?.href ?? "/signin");
}
