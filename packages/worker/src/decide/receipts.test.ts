import { generateSigningKey, signReceipt, verifyReceipt, type ReceiptClaims } from "@tollgate/policy";
import { describe, expect, it } from "vitest";
import { nativeEd25519Signer, nonces } from "./receipts";

describe("receipts signed with Node's native Ed25519", () => {
  const key = generateSigningKey();
  const claims: ReceiptClaims = {
    org: "org",
    sub: "agent",
    act: "stripe.charges.create",
    cap: { amount: 1_250, currency: "EUR" },
    mer: "acme",
    did: "decision",
    rid: "reservation",
    nonce: "n0nce",
    iat: 1_790_000_000,
    exp: 1_790_000_300,
  };

  it("are byte for byte the receipts the portable signer makes (Ed25519 is deterministic)", () => {
    const native = nativeEd25519Signer();
    expect(signReceipt(claims, key, native)).toBe(signReceipt(claims, key));
    // The second call uses the cached key object.
    expect(signReceipt(claims, key, native)).toBe(signReceipt(claims, key));
  });

  it("verify offline with the organization's public key", () => {
    const token = signReceipt(claims, key, nativeEd25519Signer());
    expect(verifyReceipt(token, { [key.keyId]: key.publicKey }, new Date(1_790_000_100_000))).toMatchObject({ ok: true });
  });

  it("carry nonces of 16 random bytes that never repeat, across refills of the pool", () => {
    const next = nonces();
    const drawn = Array.from({ length: 1_000 }, () => next());
    expect(new Set(drawn).size).toBe(1_000);
    for (const nonce of drawn) expect(Buffer.from(nonce, "base64url")).toHaveLength(16);
  });
});
