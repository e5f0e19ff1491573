import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { env } from "@/env";

/**
 * Next.js 16's proxy (formerly middleware): every page but sign-in needs a session, else it
 * redirects to /signin. The APIs check for themselves: tRPC answers UNAUTHORIZED rather than
 * redirecting a fetch. The secret is read per request, as the environment is validated lazily.
 */
export default function proxy(request: NextRequestWithAuth) {
  return withAuth(request, { pages: { signIn: "/signin" }, secret: env().nextAuthSecret });
}

export const config = {
  matcher: ["/((?!api/|signin|_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
