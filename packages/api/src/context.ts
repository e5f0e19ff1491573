import type { Database, Db, UserRole } from "@tollgate/db";

/** Who is asking: set by the app from its own session (next-auth in the console). */
export interface Session {
  userId: string;
  organizationId: string;
  role: UserRole;
}

export interface Context {
  db: Db;
  session: Session | null;
  /** Subscribes to a NOTIFY channel, for live subscriptions; absent where nothing listens (in-process calls). */
  listen?: Database["listen"];
}

/** A context whose session is known to be present, as `signedInProcedure` guarantees. */
export interface SignedInContext extends Context {
  session: Session;
}

/**
 * Builds the tRPC context. The app's route handler reads its own session and passes it in, so
 * this package never depends on Next.js or next-auth.
 */
export function createContext({ db, session, listen }: { db: Db; session: Session | null; listen?: Database["listen"] }): Context {
  return { db, session, listen };
}

/** What every action receives: who is asking (and the database or transaction to use), and its input. */
export interface Action<Input = undefined> {
  ctx: SignedInContext;
  input: Input;
}
