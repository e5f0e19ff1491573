import type { LoadedKey, LoadedSnapshot } from "../snapshot/load";

export type KeyLookup =
  | { readonly ok: true; readonly key: LoadedKey }
  | { readonly ok: false; readonly code: "key_unknown" | "key_revoked" | "key_expired"; readonly message: string };

/**
 * Finds the API key whose SHA-256 (see hashApiKey) is `keyHash` and checks it is usable at `now`.
 * The agent's own status is evaluate's concern, so a suspended agent's valid key is found.
 */
export function findKeyByHash(snapshot: LoadedSnapshot, keyHash: string, now: Date): KeyLookup {
  const key = snapshot.keys.get(keyHash);
  if (key === undefined) return { ok: false, code: "key_unknown", message: "no key of this organization has that hash" };
  const nowMs = now.getTime();
  if (key.revokedAtMs <= nowMs) return { ok: false, code: "key_revoked", message: `key ${key.prefix}… (${key.keyId}) is revoked` };
  if (key.expiresAtMs <= nowMs) return { ok: false, code: "key_expired", message: `key ${key.prefix}… (${key.keyId}) has expired` };
  return { ok: true, key };
}
