"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formatMajorUnits, parseMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";

/** The admin's approval rules: may owners approve their agents' spend, and above what two reviewers must. */
export function ApprovalSettingsForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: settings } = useSuspenseQuery(trpc.approvals.settings.queryOptions());
  const [ownerMayApprove, setOwnerMayApprove] = useState(settings.ownerMayApprove);
  const [currency, setCurrency] = useState(settings.dualApprovalAbove?.currency ?? "EUR");
  const [amount, setAmount] = useState(settings.dualApprovalAbove ? formatMajorUnits(settings.dualApprovalAbove) : "");
  const [localErrors, setLocalErrors] = useState<Record<string, string[]>>({});
  const save = useMutation(
    trpc.approvals.updateSettings.mutationOptions({
      onSuccess: (saved) => queryClient.setQueryData(trpc.approvals.settings.queryKey(), saved),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.approvals.queue.queryKey() }),
    }),
  );
  const fieldErrors: Record<string, string[]> = { ...(save.error?.data?.fieldErrors ?? {}), ...localErrors };

  function submit(event: FormEvent) {
    event.preventDefault();
    setLocalErrors({});
    if (amount.trim() === "") return save.mutate({ ownerMayApprove, dualApprovalAbove: null });
    const minor = parseMoney(amount, currency.trim().toUpperCase() || "EUR");
    if (minor === null) return setLocalErrors({ dualApprovalAbove: ["must be an amount like 500 or 500.00"] });
    save.mutate({ ownerMayApprove, dualApprovalAbove: { amount: minor, currency: currency.trim().toUpperCase() } });
  }

  const amountError = fieldErrors.dualApprovalAbove?.join("; ") ?? null;
  return (
    <form onSubmit={submit} aria-label="Approval rules" noValidate className="mb-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="text-base font-semibold text-slate-900">Approval rules</h2>
      <div className="mt-3 flex flex-wrap items-start gap-6 text-sm">
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={ownerMayApprove} onChange={(event) => setOwnerMayApprove(event.target.checked)} />
          An agent&apos;s owner may approve its spend
        </label>
        <div>
          <div className="flex items-center gap-2">
            <label htmlFor="dual-amount">Two reviewers above</label>
            <input
              id="dual-amount"
              inputMode="decimal"
              placeholder="no limit"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              aria-invalid={amountError !== null}
              aria-describedby={amountError ? "dual-amount-error" : undefined}
              className="w-28 rounded border border-slate-300 px-2 py-1 tabular-nums aria-invalid:border-rose-500"
            />
            <input
              aria-label="Currency"
              value={currency}
              onChange={(event) => setCurrency(event.target.value)}
              aria-invalid={amountError !== null}
              className="w-16 rounded border border-slate-300 px-2 py-1 uppercase aria-invalid:border-rose-500"
            />
          </div>
          {amountError && (
            <p id="dual-amount-error" className="mt-1 text-xs text-rose-700">
              {amountError}
            </p>
          )}
          <p className="mt-1 text-xs text-slate-500">Leave empty for one reviewer always. Requests in another currency always take two.</p>
        </div>
        <button type="submit" disabled={save.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          Save rules
        </button>
      </div>
      {save.isSuccess && (
        <p role="status" className="mt-2 text-xs text-emerald-700">
          Saved. Pending requests follow the new rules from their next answer.
        </p>
      )}
      {save.error && Object.keys(fieldErrors).length === 0 && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {save.error.message}
        </p>
      )}
    </form>
  );
}
