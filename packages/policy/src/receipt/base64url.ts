/**
 * Unpadded base64url (RFC 4648 §5), the alphabet of JWS. Encoding writes ASCII codes into a
 * caller's buffer: a receipt is assembled in one byte array and decoded to a string once, where
 * building it character by character made ~13 KB of garbage per signed allow.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const CODES = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));

/** How many characters `byteLength` bytes take, without padding. */
export function base64urlLength(byteLength: number): number {
  return Math.floor(byteLength / 3) * 4 + [0, 2, 3][byteLength % 3]!;
}

/** Writes `bytes` as base64url codes into `out` from `at`; returns where the codes end. */
export function writeBase64url(bytes: Uint8Array, out: Uint8Array, at: number): number {
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[at++] = CODES[triple >>> 18]!;
    out[at++] = CODES[(triple >>> 12) & 63]!;
    out[at++] = CODES[(triple >>> 6) & 63]!;
    out[at++] = CODES[triple & 63]!;
  }
  const left = bytes.length - i;
  if (left > 0) {
    const pair = (bytes[i]! << 16) | (left === 2 ? bytes[i + 1]! << 8 : 0);
    out[at++] = CODES[pair >>> 18]!;
    out[at++] = CODES[(pair >>> 12) & 63]!;
    if (left === 2) out[at++] = CODES[(pair >>> 6) & 63]!;
  }
  return at;
}

export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
