import { z } from "zod";
import { describeIssue, toValidationErrors } from "../document/issues";
import { SNAPSHOT_FORMAT, signedSnapshotSchema, type SignedSnapshot } from "./schema";
import { contentHash, verifyHash } from "./sign";

export type SnapshotErrorCode = "malformed" | "unknown_signing_key" | "hash_mismatch" | "bad_signature";

export interface SnapshotError {
  readonly code: SnapshotErrorCode;
  readonly message: string;
}

/** Public keys a worker trusts, hex, by key id: `{ "ed25519:3f2a…": "9c1e…" }`. */
export type TrustedKeys = Readonly<Record<string, string>>;

export type VerifyResult = { readonly ok: true; readonly snapshot: SignedSnapshot } | { readonly ok: false; readonly error: SnapshotError };

const envelopeSchema = z.object({
  body: z.object({ signingKeyId: z.string() }).loose(),
  hash: z.string(),
  signature: z.string(),
});

/**
 * Checks a stored or shipped snapshot (JSON text or decoded value) before anything trusts it:
 * the signing key is trusted, the hash is the body's canonical hash, the signature is that key's
 * signature of the hash, and only then that the body has the layout this version understands.
 */
export function verifySnapshot(input: unknown, trustedKeys: TrustedKeys): VerifyResult {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return failure("malformed", `snapshot is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return failure("malformed", "snapshot must be an object with body, hash and signature");
  const { body, hash, signature } = envelope.data;
  const publicKey = Object.hasOwn(trustedKeys, body.signingKeyId) ? trustedKeys[body.signingKeyId] : undefined;
  if (publicKey === undefined) return failure("unknown_signing_key", `snapshot is signed with key ${body.signingKeyId}, which this worker does not trust`);
  let actualHash: string;
  try {
    actualHash = contentHash(body);
  } catch (error) {
    return failure("malformed", `snapshot body is not plain JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (actualHash !== hash) return failure("hash_mismatch", `snapshot body hashes to ${actualHash}, not the ${hash} it claims`);
  if (!verifyHash(hash, signature, publicKey)) return failure("bad_signature", `signature does not verify with key ${body.signingKeyId}`);
  const parsed = signedSnapshotSchema.safeParse(value, { error: describeIssue });
  if (!parsed.success) {
    const problems = toValidationErrors(parsed.error).slice(0, 3).map((e) => `${e.path}: ${e.message}`);
    return failure("malformed", `snapshot layout is not ${SNAPSHOT_FORMAT}: ${problems.join("; ")}`);
  }
  return { ok: true, snapshot: parsed.data };
}

function failure(code: SnapshotErrorCode, message: string): VerifyResult {
  return { ok: false, error: { code, message } };
}
