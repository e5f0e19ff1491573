import { describe, expect, test } from "vitest";
import { contentHash, generateSigningKey, hashApiKey, signHash, verifyHash } from "./sign";

describe("signing keys", () => {
  test("are hex Ed25519 pairs whose id is derived from the public key", () => {
    const key = generateSigningKey();
    expect(key.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(key.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(key.keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    expect(generateSigningKey().keyId).not.toBe(key.keyId);
  });

  test("a seed makes the same key every time", () => {
    const seed = new Uint8Array(32).fill(1);
    expect(generateSigningKey(seed)).toEqual(generateSigningKey(seed));
  });
});

describe("hash signatures", () => {
  const key = generateSigningKey(new Uint8Array(32).fill(2));
  const other = generateSigningKey(new Uint8Array(32).fill(3));
  const hash = contentHash({ hello: "world" });

  test("verify with the signer's public key only", () => {
    const signature = signHash(hash, key.privateKey);
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyHash(hash, signature, key.publicKey)).toBe(true);
    expect(verifyHash(hash, signature, other.publicKey)).toBe(false);
    expect(verifyHash(contentHash({ hello: "there" }), signature, key.publicKey)).toBe(false);
  });

  test("malformed signatures and keys fail verification instead of throwing", () => {
    expect(verifyHash(hash, "zz", key.publicKey)).toBe(false);
    expect(verifyHash(hash, signHash(hash, key.privateKey), "abc")).toBe(false);
  });
});

describe("hashApiKey", () => {
  test("is the lowercase hex SHA-256 of the key", () => {
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
