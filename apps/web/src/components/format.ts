import type { Money } from "@tollgate/api";

const fractionDigits = (currency: string) =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** Minor units as the currency writes them: `{ amount: 1250, currency: "USD" }` → "$12.50". For display only. */
export function formatMoney({ amount, currency }: Money): string {
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat("en", { style: "currency", currency, minimumFractionDigits: digits }).format(amount / 10 ** digits);
}

/** An ISO time in the organization's time zone, e.g. "24 Nov 2026, 16:45". */
export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat("en").format(n);
}
