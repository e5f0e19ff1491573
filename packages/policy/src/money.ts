import { z } from "zod";

const POSITIVE_MINOR_UNITS = "must be a positive integer in minor units";
const NON_NEGATIVE_MINOR_UNITS = "must be a non-negative integer in minor units";

/** A limit, cap or threshold: a positive integer in minor units (1250 = $12.50). */
export const limitAmountSchema = z
  .int({ error: POSITIVE_MINOR_UNITS })
  .positive({ error: POSITIVE_MINOR_UNITS });

/** An ISO 4217 alphabetic code. Which codes exist is the payment provider's business, not ours. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, { error: "must be an ISO 4217 currency code such as USD" });

/** An amount a request asks to spend: zero is a legal price for a metered-but-free call. */
export const moneySchema = z.strictObject({
  amount: z.int({ error: NON_NEGATIVE_MINOR_UNITS }).nonnegative({ error: NON_NEGATIVE_MINOR_UNITS }),
  currency: currencySchema,
});

/** A budget or limit: `{ amount: 1250, currency: "USD" }` is $12.50. */
export const budgetSchema = z.strictObject({ amount: limitAmountSchema, currency: currencySchema });

export type Money = z.infer<typeof moneySchema>;

// ISO 4217 minor-unit exponents that differ from the usual 2.
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** Renders minor units for people without floating point: `formatMoney(1250, "USD")` → `"12.50 USD"`. */
export function formatMoney(amount: number, currency: string): string {
  const exponent = EXPONENTS[currency] ?? 2;
  const sign = amount < 0 ? "-" : "";
  const digits = String(Math.abs(amount));
  if (exponent === 0) return `${sign}${digits} ${currency}`;
  const padded = digits.padStart(exponent + 1, "0");
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)} ${currency}`;
}
