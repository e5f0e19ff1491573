// How a sign-in failure travels from `authorize` (server) through next-auth to the form (browser).

const lockedPrefix = "locked:";

/** The message `authorize` throws for a locked account; next-auth hands it to the form as `error`. */
export const lockedError = (retryAt: Date) => `${lockedPrefix}${retryAt.toISOString()}`;

export type SignInFailure = { kind: "locked"; retryAt: Date | null } | { kind: "wrong-credentials" } | { kind: "other" };

/** Reads next-auth's `error`: `CredentialsSignin` is what it reports when `authorize` returns null. */
export function readSignInError(error: string): SignInFailure {
  if (error.startsWith(lockedPrefix)) {
    const retryAt = new Date(error.slice(lockedPrefix.length));
    return { kind: "locked", retryAt: Number.isNaN(retryAt.getTime()) ? null : retryAt };
  }
  if (error === "CredentialsSignin") return { kind: "wrong-credentials" };
  return { kind: "other" };
}
