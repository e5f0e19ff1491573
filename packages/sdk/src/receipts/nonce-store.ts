/**
 * Remembers which receipt nonces were spent, until the receipt expires (after that the receipt is
 * refused as expired anyway). Share one store (e.g. Redis `SET NX PX`) across a tool's instances.
 */
export interface NonceStore {
  /** Records `nonce` and resolves true, or resolves false if it was already recorded. Must be atomic. */
  claim(nonce: string, expiresAt: Date): boolean | Promise<boolean>;
}

/** A `NonceStore` in this process's memory; forgets a nonce once its receipt has expired. */
export function memoryNonceStore(): NonceStore {
  const spent = new Map<string, number>();
  return {
    claim(nonce, expiresAt) {
      const now = Date.now();
      for (const [seen, until] of spent) if (until <= now) spent.delete(seen);
      if (spent.has(nonce)) return false;
      spent.set(nonce, expiresAt.getTime());
      return true;
    },
  };
}
