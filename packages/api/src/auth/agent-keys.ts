import { randomInt } from "node:crypto";
import { hashApiKey } from "@tollgate/policy";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A source of uniform integers in [0, n): the CSPRNG, unless demo data needs repeatable keys. */
export type RandomInt = (n: number) => number;

/** A newly issued agent key: `key` is shown once; only `prefix` and `hash` are stored. */
export interface IssuedAgentKey {
  key: string;
  prefix: string;
  hash: string;
}

/**
 * Issues an agent API key `tg_<8>_<40>`: the `tg_` prefix makes a leaked key recognisable to
 * secret scanners, the 8 visible characters let an admin tell keys apart, and the 40 secret
 * base62 characters (~238 bits) make a fast hash (SHA-256) safe to store.
 */
export function issueAgentKey(random: RandomInt = randomInt): IssuedAgentKey {
  const text = (length: number) => Array.from({ length }, () => ALPHABET[random(ALPHABET.length)]).join("");
  const prefix = `tg_${text(8)}`;
  const key = `${prefix}_${text(40)}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The visible prefix of a presented key, or null when it is not shaped like one of ours. */
export function agentKeyPrefix(key: string): string | null {
  return /^(tg_[A-Za-z0-9]{8})_[A-Za-z0-9]{40}$/.exec(key)?.[1] ?? null;
}
