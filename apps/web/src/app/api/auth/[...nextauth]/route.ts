import NextAuth from "next-auth";
import { authOptions } from "@/server/auth";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nextauth: string[] }> };

// The options are read per request: they need the validated environment, which `next build` lacks.
async function handler(request: Request, context: Context) {
  return NextAuth(authOptions())(request, context);
}

export { handler as GET, handler as POST };
