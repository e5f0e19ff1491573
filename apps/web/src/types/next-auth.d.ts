import type { UserRole } from "@tollgate/db";
import "next-auth";
import "next-auth/jwt";

// The console's session carries who the user is, their organization and their role.
declare module "next-auth" {
  interface User {
    role: UserRole;
    organizationId: string;
  }
  interface Session {
    user: { id: string; organizationId: string; role: UserRole; name?: string | null; email?: string | null };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    userId: string;
    organizationId: string;
    role: UserRole;
  }
}
