import type { Db, UserRole } from "@tollgate/db";

/** Who is asking: set by the app from its own session (next-auth in the console). */
export interface Session {
  userId: string;
  organizationId: string;
  role: UserRole;
}

export interface Context {
  db: Db;
  session: Session | null;
}

/** A context whose session is known to be present, as `signedInProcedure` guarantees. */
export interface SignedInContext extends Context {
  session: Session;
}

/**
 * Builds the tRPC context. The app's route handler reads its own session and passes it in, so
 * this package never depends on Next.js or next-auth.
 */
export function createContext({ db, session }: { db: Db; session: Session | null }): Context {
  return { db, session };
}

/** What every action receives: who is asking (and the database or transaction to use), and its input. */
export interface Action<Input = undefined> {
  ctx: SignedInContext;
  input: Input;
}
