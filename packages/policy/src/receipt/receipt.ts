import { hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { base64urlLength, fromBase64url, writeBase64url } from "./base64url";
import { ed } from "../ed25519";
import type { Money } from "../money";
import type { TrustedKeys } from "../snapshot/verify";

/** What a decision receipt binds: who may spend how much on what, until when, once. */
export interface ReceiptClaims {
  /** Organization id. */
  readonly org: string;
  /** The agent that asked. */
  readonly sub: string;
  /** The action allowed, e.g. `stripe.charges.create`. */
  readonly act: string;
  /** The most the call may spend (the held amount); null for a free action. */
  readonly cap: Money | null;
  readonly mer: string | null;
  /** Decision and reservation ids, so the spend can be traced back to the gate. */
  readonly did: string;
  readonly rid: string | null;
  /** Random, so a verifier can refuse a receipt presented twice. */
  readonly nonce: string;
  /** Issued and expiry times, seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
}

export const RECEIPT_TYPE = "tollgate-receipt+jws";

const encoder = new TextEncoder();
const ascii = new TextDecoder();
const DOT = 0x2e;
/** An Ed25519 signature is 64 bytes. */
const SIGNATURE_CHARS = base64urlLength(64);
/**
 * Where receipts are encoded and assembled. A fresh encoding of header and payload and a fresh
 * token per receipt cost ~1.5 µs of allocation, a third of a receipt's own work besides signing;
 * signing is synchronous, so one buffer serves every call (it grows for an unusually long receipt).
 */
let scratch = new Uint8Array(1024);

/**
 * Signs `message` with an Ed25519 private key (hex). The default is pure JS and runs anywhere;
 * a runtime with native Ed25519 (Node's crypto is ~15× faster) may pass its own.
 */
export type Ed25519Signer = (message: Uint8Array, privateKeyHex: string) => Uint8Array;

const portableSigner: Ed25519Signer = (message, privateKeyHex) => ed.sign(message, hexToBytes(privateKeyHex));

/**
 * Signs a decision receipt as a compact JWS (RFC 7515) with Ed25519 (`alg: EdDSA`), the key id in
 * the header so verifiers can hold several keys while they rotate.
 *
 * @example signReceipt(claims, { keyId: "ed25519:3f2a…", privateKey: "9d61…" })
 */
export function signReceipt(claims: ReceiptClaims, key: { keyId: string; privateKey: string }, sign: Ed25519Signer = portableSigner): string {
  const header = JSON.stringify({ alg: "EdDSA", typ: RECEIPT_TYPE, kid: key.keyId });
  const payload = JSON.stringify(claims);
  // The scratch holds the UTF-8 of header and payload (at most 3 bytes per UTF-16 unit), then the
  // token from `start`, assembled in place: the signing input `header.payload`, then `.signature`
  // (two dots, and a character of rounding for each of the two encodings, past the base64url).
  const start = 3 * (header.length + payload.length);
  const room = start + base64urlLength(start) + 4 + SIGNATURE_CHARS;
  if (scratch.length < room) scratch = new Uint8Array(2 * room);
  const headerBytes = encoder.encodeInto(header, scratch).written;
  const payloadBytes = encoder.encodeInto(payload, scratch.subarray(headerBytes, start)).written;
  let at = writeBase64url(scratch.subarray(0, headerBytes), scratch, start);
  scratch[at++] = DOT;
  at = writeBase64url(scratch.subarray(headerBytes, headerBytes + payloadBytes), scratch, at);
  const signed = at;
  scratch[at++] = DOT;
  at = writeBase64url(sign(scratch.subarray(start, signed), key.privateKey), scratch, at);
  return ascii.decode(scratch.subarray(start, at));
}

export type ReceiptCheck =
  | { readonly ok: true; readonly claims: ReceiptClaims }
  | { readonly ok: false; readonly code: "malformed" | "unknown_key" | "bad_signature" | "expired"; readonly message: string };

/**
 * Verifies a receipt offline with the organization's public keys: shape, key id, signature and
 * expiry. Whether the call fits `cap` and whether `nonce` was seen before is the verifier's check.
 */
export function verifyReceipt(token: string, trustedKeys: TrustedKeys, now: Date): ReceiptCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, code: "malformed", message: "a receipt has three dot-separated parts" };
  const [headerText, payloadText, signatureText] = parts as [string, string, string];
  let header: { alg?: unknown; typ?: unknown; kid?: unknown };
  let claims: ReceiptClaims;
  let signature: Uint8Array;
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64url(headerText)));
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(payloadText)));
    signature = fromBase64url(signatureText);
  } catch {
    return { ok: false, code: "malformed", message: "a part is not base64url-encoded JSON" };
  }
  if (header.alg !== "EdDSA" || header.typ !== RECEIPT_TYPE || typeof header.kid !== "string") {
    return { ok: false, code: "malformed", message: `header must be {alg: EdDSA, typ: ${RECEIPT_TYPE}, kid}` };
  }
  const publicKey = Object.hasOwn(trustedKeys, header.kid) ? trustedKeys[header.kid] : undefined;
  if (publicKey === undefined) return { ok: false, code: "unknown_key", message: `key ${header.kid} is not trusted` };
  if (!signatureMatches(signature, `${headerText}.${payloadText}`, publicKey)) return { ok: false, code: "bad_signature", message: "the signature does not match the receipt" };
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= now.getTime()) {
    return { ok: false, code: "expired", message: `the receipt expired at ${new Date((claims.exp ?? 0) * 1000).toISOString()}` };
  }
  return { ok: true, claims };
}

function signatureMatches(signature: Uint8Array, signed: string, publicKeyHex: string): boolean {
  try {
    return ed.verify(signature, utf8ToBytes(signed), hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}
