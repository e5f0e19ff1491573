import fc from "fast-check";
import { hashApiKey } from "@tollgate/policy";
import { describe, expect, it } from "vitest";
import { nativeKeyHash } from "./key-hash";

describe("nativeKeyHash", () => {
  it("invariant: hashes every string exactly as hashApiKey does, lone surrogates and all", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string()), (key) => {
        expect(nativeKeyHash(key)).toBe(hashApiKey(key));
      }),
      { numRuns: 1_000 },
    );
  });

  it("is the known SHA-256 of a key", () => {
    expect(nativeKeyHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
