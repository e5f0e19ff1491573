import { createPrivateKey, randomBytes, sign, type KeyObject } from "node:crypto";
import { signReceipt, type Ed25519Signer, type Money } from "@tollgate/policy";
import type { SnapshotStore } from "../snapshots/store";

/** What an allow lets the agent do, as its receipt binds it. */
export interface ReceiptCall {
  organizationId: string;
  agentId: string;
  action: string;
  cap: Money | null;
  merchant: string | null;
  decisionId: string;
  reservationId: string | null;
}

// PKCS#8 wraps a raw 32-byte Ed25519 seed behind this fixed DER prefix (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * Ed25519 with Node's native crypto: signing every allow in pure JS cost ~0.75 ms of the worker's
 * CPU per decision. The key objects are cached, since an organization signs with one key for long.
 */
export function nativeEd25519Signer(): Ed25519Signer {
  const keys = new Map<string, KeyObject>();
  return (message, privateKeyHex) => {
    let key = keys.get(privateKeyHex);
    if (!key) {
      key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(privateKeyHex, "hex")]), format: "der", type: "pkcs8" });
      keys.set(privateKeyHex, key);
    }
    return sign(null, message, key);
  };
}

/**
 * Nonces from a pool of random bytes refilled a few KiB at a time: asking the generator for 16
 * bytes per allow cost ~7 µs of the decision path each time.
 */
export function nonces(): () => string {
  const NONCE_BYTES = 16;
  let pool = randomBytes(NONCE_BYTES * 256);
  let next = 0;
  return () => {
    if (next === pool.length) {
      pool = randomBytes(pool.length);
      next = 0;
    }
    next += NONCE_BYTES;
    return pool.toString("base64url", next - NONCE_BYTES, next);
  };
}

/**
 * Signs allows as receipts a tool or merchant can check offline (see verifyReceipt), with the
 * organization's receipt key from the snapshot; a receipt lives as long as its hold.
 */
export function createReceiptSigner(store: SnapshotStore, ttlMs: number) {
  const ed25519 = nativeEd25519Signer();
  const nonce = nonces();
  return function receiptFor(call: ReceiptCall, at: Date): string | undefined {
    const key = store.receiptKey(call.organizationId);
    if (!key) return undefined;
    const issuedAt = Math.floor(at.getTime() / 1000);
    return signReceipt(
      {
        org: call.organizationId,
        sub: call.agentId,
        act: call.action,
        cap: call.cap,
        mer: call.merchant,
        did: call.decisionId,
        rid: call.reservationId,
        nonce: nonce(),
        iat: issuedAt,
        exp: issuedAt + Math.ceil(ttlMs / 1000),
      },
      key,
      ed25519,
    );
  };
}

export type ReceiptSigner = ReturnType<typeof createReceiptSigner>;
