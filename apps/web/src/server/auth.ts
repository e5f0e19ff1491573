import { authenticate, type Session } from "@tollgate/api";
import type { UserRole } from "@tollgate/db";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import { connection } from "next/server";
import { cache } from "react";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/env";
import { lockedError } from "@/sign-in-error";
import { getDb } from "./db";

/** The client's address as the nearest proxy (Next.js itself, at least) saw it; failures are also throttled per address. */
function clientAddress(headers: Record<string, string | string[] | undefined> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first || "unknown";
}

/** next-auth's configuration, built on first use because it needs the validated environment. */
export function authOptions(): NextAuthOptions {
  return {
    secret: env().nextAuthSecret,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          if (!credentials?.email || !credentials.password) return null;
          const result = await authenticate({
            db: await getDb(),
            email: credentials.email,
            password: credentials.password,
            clientKey: clientAddress(request?.headers),
          });
          if (result.ok) return { id: result.user.id, name: result.user.name, email: result.user.email, role: result.user.role, organizationId: result.user.organizationId };
          // next-auth hands a thrown message to the sign-in form as `error`; null means wrong credentials.
          if (result.reason === "locked") throw new Error(lockedError(result.retryAt));
          return null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.userId = user.id;
          token.organizationId = user.organizationId;
          token.role = user.role;
        }
        return token;
      },
      session({ session, token }) {
        session.user = { ...session.user, id: token.userId, organizationId: token.organizationId, role: token.role };
        return session;
      },
    },
  };
}

/** The signed-in user as the API package understands it, or null; read once per request. */
export const getConsoleSession = cache(async (): Promise<(Session & { name: string }) | null> => {
  // Per request, never at build time: the session (and the environment it needs) exist only then.
  await connection();
  const session = await getServerSession(authOptions());
  const user = session?.user;
  if (!user?.id || !user.organizationId || !user.role) return null;
  return { userId: user.id, organizationId: user.organizationId, role: user.role as UserRole, name: user.name ?? "" };
});
