import { z } from "zod";
import { TollgateError, TollgateUnavailableError } from "../errors";

const receiptKeysSchema = z.object({ organizationId: z.string(), keys: z.record(z.string(), z.string()) });

/**
 * Fetches an organization's receipt public keys from a decision worker
 * (`GET /v1/organizations/{id}/receipt-keys`, no key needed), for `createReceiptVerifier`.
 * Fetch them at start and when a receipt names an unknown key (keys rotate), not per receipt.
 *
 * @example
 * const receipts = createReceiptVerifier({ publicKeys: await fetchReceiptKeys({ url: "http://127.0.0.1:8787", organizationId }) });
 */
export async function fetchReceiptKeys({ url, organizationId, fetch: send = fetch }: { url: string; organizationId: string; fetch?: typeof fetch }): Promise<Record<string, string>> {
  const address = `${url.replace(/\/+$/, "")}/v1/organizations/${encodeURIComponent(organizationId)}/receipt-keys`;
  const response = await send(address).catch((error: unknown) => {
    throw new TollgateUnavailableError(0, "unreachable", `the worker at ${url} is unreachable: ${String(error)}`, { cause: error });
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code: string; message: string } } | null)?.error;
    throw new TollgateError(response.status, error?.code ?? "http_error", error?.message ?? `the worker answered ${response.status}`);
  }
  return receiptKeysSchema.parse(body).keys;
}
