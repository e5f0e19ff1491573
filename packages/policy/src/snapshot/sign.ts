import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { ed } from "../ed25519";
import { canonicalJson } from "./canonical-json";

/** An Ed25519 key pair for signing snapshots, all hex: 32-byte private seed, 32-byte public key. */
export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: string;
  readonly publicKey: string;
}

/** Lowercase hex SHA-256 of a value's canonical JSON: the snapshot's content hash. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Lowercase hex SHA-256 of an API key, the only form in which keys are stored or shipped. */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/**
 * Makes a snapshot signing key. The key id is derived from the public key, so a worker's list of
 * trusted keys cannot pair an id with the wrong key. Pass a 32-byte seed only in tests.
 */
export function generateSigningKey(seed?: Uint8Array): SigningKey {
  const { secretKey, publicKey } = ed.keygen(seed);
  return { keyId: keyIdOf(publicKey), privateKey: bytesToHex(secretKey), publicKey: bytesToHex(publicKey) };
}

/** `ed25519:` and the first 16 hex digits of the SHA-256 of the public key. */
function keyIdOf(publicKey: Uint8Array): string {
  return `ed25519:${bytesToHex(sha256(publicKey)).slice(0, 16)}`;
}

// Signing a labelled hash, not raw bytes, keeps a snapshot signature from ever being valid as
// some other message signed with the same key.
function signedMessage(hash: string): Uint8Array {
  return utf8ToBytes(`tollgate.snapshot.sha256:${hash}`);
}

/** Hex Ed25519 signature over a content hash. */
export function signHash(hash: string, privateKeyHex: string): string {
  return bytesToHex(ed.sign(signedMessage(hash), hexToBytes(privateKeyHex)));
}

/** True when `signature` is the holder of `publicKeyHex` signing `hash`; false on any malformed input. */
export function verifyHash(hash: string, signatureHex: string, publicKeyHex: string): boolean {
  try {
    return ed.verify(hexToBytes(signatureHex), signedMessage(hash), hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}
