import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { base64urlLength, fromBase64url, writeBase64url } from "./base64url";

describe("base64url", () => {
  test("invariant: encodes any bytes as RFC 4648 base64url without padding, and decodes back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 5 }), (bytes, at) => {
        const out = new Uint8Array(at + base64urlLength(bytes.length));
        expect(writeBase64url(bytes, out, at)).toBe(out.length);
        const text = Buffer.from(out.subarray(at)).toString("latin1");
        expect(text).toBe(Buffer.from(bytes).toString("base64url"));
        expect(fromBase64url(text)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });
});
