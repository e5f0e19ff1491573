import { describe, expect, it } from "vitest";
import { lockedError, readSignInError } from "./sign-in-error";

describe("sign-in errors", () => {
  it("carries a lockout's retry time from the server to the form", () => {
    const retryAt = new Date("2026-11-24T16:15:00Z");
    expect(readSignInError(lockedError(retryAt))).toEqual({ kind: "locked", retryAt });
  });

  it("tells wrong credentials from anything else", () => {
    expect(readSignInError("CredentialsSignin")).toEqual({ kind: "wrong-credentials" });
    expect(readSignInError("Configuration")).toEqual({ kind: "other" });
  });
});
