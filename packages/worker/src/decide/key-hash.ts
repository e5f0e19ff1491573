import { createHash } from "node:crypto";

/**
 * `hashApiKey` (lowercase hex SHA-256 of the key's UTF-8) with Node's native SHA-256: every
 * request hashes its bearer key, and the portable implementation costs ~2 µs of the event loop
 * where this costs ~0.75 µs.
 */
export function nativeKeyHash(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
