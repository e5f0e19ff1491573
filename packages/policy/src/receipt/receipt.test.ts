import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { generateSigningKey } from "../snapshot/sign";
import { signReceipt, verifyReceipt, type ReceiptClaims } from "./receipt";

const key = generateSigningKey(new Uint8Array(32).fill(7));
const trusted = { [key.keyId]: key.publicKey };
const now = new Date("2026-11-24T12:00:00Z");
const claims: ReceiptClaims = {
  org: "org-1",
  sub: "agent-1",
  act: "stripe.charges.create",
  cap: { amount: 1250, currency: "USD" },
  mer: "stripe",
  did: "decision-1",
  rid: "reservation-1",
  nonce: "n-1",
  iat: now.getTime() / 1000,
  exp: now.getTime() / 1000 + 300,
};

describe("decision receipts", () => {
  test("a signed receipt verifies offline with the organization's public key and returns its claims", () => {
    const token = signReceipt(claims, key);
    expect(token.split(".")).toHaveLength(3);
    expect(verifyReceipt(token, trusted, now)).toEqual({ ok: true, claims });
  });

  test("a receipt is a standard compact JWS: base64url JSON header and claims, then the signature", () => {
    const [header, payload, signature] = signReceipt(claims, key).split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "EdDSA", typ: "tollgate-receipt+jws", kid: key.keyId });
    expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).toEqual(claims);
    expect(Buffer.from(signature!, "base64url")).toHaveLength(64);
  });

  test("an expired receipt is refused", () => {
    const token = signReceipt(claims, key);
    expect(verifyReceipt(token, trusted, new Date((claims.exp + 1) * 1000))).toMatchObject({ ok: false, code: "expired" });
  });

  test("a receipt signed by an untrusted key is refused", () => {
    const stranger = generateSigningKey(new Uint8Array(32).fill(9));
    expect(verifyReceipt(signReceipt(claims, stranger), trusted, now)).toMatchObject({ ok: false, code: "unknown_key" });
    expect(verifyReceipt(signReceipt(claims, { ...stranger, keyId: key.keyId }), trusted, now)).toMatchObject({ ok: false, code: "bad_signature" });
  });

  test("invariant: changing any claim invalidates the signature", () => {
    const token = signReceipt(claims, key);
    const [header, , signature] = token.split(".");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (amount) => {
        fc.pre(amount !== claims.cap!.amount);
        const raised = { ...claims, cap: { amount, currency: "USD" } };
        const payload = Buffer.from(JSON.stringify(raised)).toString("base64url");
        expect(verifyReceipt(`${header}.${payload}.${signature}`, trusted, now)).toMatchObject({ ok: false, code: "bad_signature" });
      }),
      { numRuns: 50 },
    );
  });

  test("invariant: any claims, in any script and of any length, sign to the standard JWS of their JSON, one receipt after another", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 400 });
    const anyClaims = fc.record({
      org: text,
      sub: text,
      act: text,
      cap: fc.option(fc.record({ amount: fc.nat(), currency: fc.constantFrom("USD", "EUR") }), { nil: null }),
      mer: fc.option(text, { nil: null }),
      did: text,
      rid: fc.option(text, { nil: null }),
      nonce: text,
      iat: fc.constant(claims.iat),
      exp: fc.constant(claims.exp),
    });
    fc.assert(
      // Several per run, so a receipt signed after a longer one (in the same scratch) is checked too.
      fc.property(fc.array(anyClaims, { minLength: 1, maxLength: 4 }), (batch) => {
        for (const each of batch) {
          const [header, payload, signature] = signReceipt(each, key).split(".");
          expect(payload).toBe(Buffer.from(JSON.stringify(each)).toString("base64url"));
          expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "EdDSA", typ: "tollgate-receipt+jws", kid: key.keyId });
          expect(verifyReceipt(`${header}.${payload}.${signature}`, trusted, now)).toEqual({ ok: true, claims: each });
        }
      }),
      { numRuns: 100 },
    );
  });

  test("invariant: garbage never verifies and never throws", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(verifyReceipt(text, trusted, now).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
