import { moneySchema, verifyReceipt, type ReceiptClaims } from "@tollgate/policy";
import { z } from "zod";
import { parseOptions } from "../options";
import { memoryNonceStore, type NonceStore } from "./nonce-store";

const verifierOptionsSchema = z.strictObject({
  /** The organization's receipt public keys by key id, hex-encoded Ed25519 (as the console shows them). */
  publicKeys: z
    .record(z.string(), z.string().regex(/^[0-9a-f]{64}$/i, { error: "must be a hex-encoded Ed25519 public key (64 hex digits)" }))
    .refine((keys) => Object.keys(keys).length > 0, { error: "must hold at least one key" }),
  nonceStore: z.custom<NonceStore>((value) => typeof (value as NonceStore | null)?.claim === "function", { error: "must have a claim(nonce, expiresAt) method" }).optional(),
});

const callSchema = z.strictObject({
  /** The action the tool performs, e.g. `stripe.charges.create`. */
  action: z.string().min(1, { error: "must not be empty" }),
  /** What this call will spend; omit for a free call. */
  amount: moneySchema.optional(),
  /** Who is paid; checked when the receipt names a merchant. */
  merchant: z.string().min(1, { error: "must not be empty" }).optional(),
  now: z.date().optional(),
});

export type ReceiptVerifierOptions = z.input<typeof verifierOptionsSchema>;
export type ReceiptCall = z.input<typeof callSchema>;

export type ReceiptVerdict =
  | { readonly ok: true; readonly claims: ReceiptClaims }
  | {
      readonly ok: false;
      readonly code: "malformed" | "unknown_key" | "bad_signature" | "expired" | "action_mismatch" | "merchant_mismatch" | "over_cap" | "replayed";
      readonly message: string;
    };

/** Whether the call is the one the receipt allowed: same action and merchant, within the cap. */
function bindingProblem(claims: ReceiptClaims, call: z.output<typeof callSchema>): Extract<ReceiptVerdict, { ok: false }> | undefined {
  if (claims.act !== call.action) return { ok: false, code: "action_mismatch", message: `the receipt allows ${claims.act}, not ${call.action}` };
  if (claims.mer !== null && claims.mer !== call.merchant) {
    return { ok: false, code: "merchant_mismatch", message: `the receipt allows paying ${claims.mer}, not ${call.merchant ?? "no merchant"}` };
  }
  const amount = call.amount;
  if (amount && amount.amount > 0) {
    if (claims.cap === null) return { ok: false, code: "over_cap", message: "the receipt allows a free call only" };
    if (claims.cap.currency !== amount.currency || amount.amount > claims.cap.amount) {
      return { ok: false, code: "over_cap", message: `${amount.amount} ${amount.currency} exceeds the receipt's cap of ${claims.cap.amount} ${claims.cap.currency}` };
    }
  }
  return undefined;
}

/**
 * Verifies decision receipts for a tool or merchant, offline: signature, expiry, that the call is
 * the one allowed (action, merchant, amount within the cap) and that the receipt is used once.
 *
 * @example
 * const receipts = createReceiptVerifier({ publicKeys: { "ed25519:3f2a…": "9d61…" } });
 * const verdict = await receipts.verify(token, { action: "stripe.charges.create", amount: { amount: 1250, currency: "USD" }, merchant: "stripe" });
 * if (!verdict.ok) return refuse(verdict.code);
 */
export function createReceiptVerifier(input: ReceiptVerifierOptions) {
  const options = parseOptions(verifierOptionsSchema, input, "createReceiptVerifier options");
  const nonces = options.nonceStore ?? memoryNonceStore();
  return {
    async verify(token: string, callInput: ReceiptCall): Promise<ReceiptVerdict> {
      const call = parseOptions(callSchema, callInput, "verify call");
      const checked = verifyReceipt(token, options.publicKeys, call.now ?? new Date());
      if (!checked.ok) return checked;
      const problem = bindingProblem(checked.claims, call);
      if (problem) return problem;
      // Last, so a receipt refused for another reason is not used up.
      if (!(await nonces.claim(checked.claims.nonce, new Date(checked.claims.exp * 1000)))) {
        return { ok: false, code: "replayed", message: `receipt ${checked.claims.nonce} was already used` };
      }
      return checked;
    },
  };
}

export type ReceiptVerifier = ReturnType<typeof createReceiptVerifier>;
