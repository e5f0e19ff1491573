import type { Money } from "@tollgate/api";

/** The currency's decimals; 2 for a code Intl does not know, so a typo reaches the server's validation rather than throw here. */
function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

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

/**
 * Minor units from what a person typed in the currency's major units, without floating point:
 * `parseMoney("120.5", "EUR")` is 12050; null when it is not a plain amount with at most the
 * currency's decimals.
 */
export function parseMoney(text: string, currency: string): number | null {
  const digits = fractionDigits(currency);
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] ?? "").length > digits) return null;
  const minor = Number(`${match[1]}${(match[2] ?? "").padEnd(digits, "0")}`);
  return Number.isSafeInteger(minor) ? minor : null;
}

/** A duration for people: "850 ms", "42 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
}

/** Minor units as a plain decimal a person can edit, the inverse of `parseMoney`: 12050 EUR → "120.50". */
export function formatMajorUnits({ amount, currency }: Money): string {
  const digits = fractionDigits(currency);
  if (digits === 0) return String(amount);
  const text = String(amount).padStart(digits + 1, "0");
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
