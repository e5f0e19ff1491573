/** For tools and merchants: check that a call went through the gate, offline. */
export { createReceiptVerifier, type ReceiptCall, type ReceiptVerdict, type ReceiptVerifier, type ReceiptVerifierOptions } from "./verifier";
export { memoryNonceStore, type NonceStore } from "./nonce-store";
export type { ReceiptClaims } from "@tollgate/policy";
export { fetchReceiptKeys } from "./keys";
