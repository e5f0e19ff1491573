"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { primaryButton } from "@/components/button-styles";
import { formatMoney, parseMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";
import { AgentPicker } from "./agent-picker";

type DelegableScope = RouterOutputs["delegations"]["delegableScope"];
type FieldErrors = Record<string, string[] | undefined>;

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** A `datetime-local` value in the browser's zone, a week from now. */
function aWeekFromNow(): string {
  const at = new Date(Date.now() + WEEK_MS);
  at.setSeconds(0, 0);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** "a, b ,c" → ["a", "b", "c"]; nothing typed → undefined (no condition). */
function listOf(text: string): string[] | undefined {
  const items = text.split(",").map((item) => item.trim()).filter(Boolean);
  return items.length === 0 ? undefined : items;
}

const inputClass = "rounded border border-slate-300 px-2 py-1 text-sm aria-invalid:border-rose-500";

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string[]; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint && <span className="max-w-md text-xs text-slate-500">{hint}</span>}
      {error && (
        <span id={`${id}-error`} role="alert" className="max-w-md text-xs text-rose-700">
          {error.join("; ")}
        </span>
      )}
    </div>
  );
}

/** What a grant or a received delegation allows beyond its actions, for the hints. */
const within = (scope: { merchants: string[] | null; categories: string[] | null }) =>
  [scope.merchants ? `merchants ${scope.merchants.join(", ")}` : "any merchant", scope.categories ? `categories ${scope.categories.join(", ")}` : "any category"].join(", ");

/**
 * Grants a delegation. The picker offers what the delegator may pass on — its own grants, or
 * what a delegation it received lets it re-delegate — and the server's compiler has the last
 * word: anything wider, an over-carved budget, a loop or a chain too deep comes back on its field.
 */
export function DelegationForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [delegatorId, setDelegatorId] = useState("");
  const [delegateId, setDelegateId] = useState("");
  const [parentId, setParentId] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const [otherActions, setOtherActions] = useState("");
  const [merchants, setMerchants] = useState("");
  const [categories, setCategories] = useState("");
  const [budgetAmount, setBudgetAmount] = useState("");
  const [budgetCurrency, setBudgetCurrency] = useState("");
  const [maxDepth, setMaxDepth] = useState("0");
  const [expires, setExpires] = useState(aWeekFromNow);
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});

  const scope = useQuery({ ...trpc.delegations.delegableScope.queryOptions({ agentId: delegatorId }), enabled: delegatorId !== "" });
  const parent = scope.data?.received.find((received) => received.id === parentId) ?? null;
  const create = useMutation(
    trpc.delegations.create.mutationOptions({
      onSuccess: () => {
        setPicked([]);
        setOtherActions("");
        return queryClient.invalidateQueries({ queryKey: trpc.delegations.pathKey() });
      },
    }),
  );
  const fieldErrors: FieldErrors = { ...(create.error?.data?.fieldErrors ?? {}), ...localErrors };
  const hasFieldErrors = Object.values(fieldErrors).some(Boolean);

  function chooseDelegator(agentId: string) {
    setDelegatorId(agentId);
    setParentId("");
    setPicked([]);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setLocalErrors({});
    const currency = budgetCurrency.trim().toUpperCase() || defaultCurrency(scope.data, parent);
    let budget: RouterInputs["delegations"]["create"]["budget"] = null;
    if (budgetAmount.trim() !== "") {
      const amount = parseMoney(budgetAmount, currency);
      if (amount === null) return setLocalErrors({ budget: ["must be an amount like 50 or 50.00"] });
      budget = { amount, currency };
    }
    create.mutate({
      delegatorAgentId: delegatorId,
      delegateAgentId: delegateId,
      parentDelegationId: parentId || null,
      actions: [...picked, ...(listOf(otherActions) ?? [])],
      merchants: listOf(merchants),
      categories: listOf(categories),
      budget,
      maxDepth: Number(maxDepth),
      expiresAt: expires ? new Date(expires).toISOString() : "",
    });
  }

  const offered = parent ? parent.actions : [...new Set(scope.data?.grants.flatMap((grant) => grant.actions) ?? [])];
  const toggle = (action: string, on: boolean) => setPicked((current) => (on ? [...current, action] : current.filter((item) => item !== action)));

  return (
    <form onSubmit={submit} aria-label="New delegation" noValidate className="mb-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="text-base font-semibold text-slate-900">New delegation</h2>
      <div className="mt-3 flex flex-wrap gap-6">
        <AgentPicker id="delegator" label="Delegator" value={delegatorId} onChange={chooseDelegator} error={fieldErrors.delegatorAgentId} />
        <AgentPicker id="delegate" label="Delegate" value={delegateId} onChange={setDelegateId} error={fieldErrors.delegateAgentId} />
        <Field
          id="parent"
          label="Passes on"
          error={fieldErrors.parentDelegationId}
          hint={parent ? `Re-delegates what ${parent.delegator.name} granted: within ${within(parent)}.` : "The delegator's own grants, from its enforced policies."}
        >
          <select id="parent" value={parentId} onChange={(event) => setParentId(event.target.value)} aria-invalid={Boolean(fieldErrors.parentDelegationId)} className={`w-72 bg-white ${inputClass}`}>
            <option value="">Its own grants</option>
            {scope.data?.received.map((received) => (
              <option key={received.id} value={received.id}>
                What {received.delegator.name} delegated to it ({received.actions.join(", ")})
              </option>
            ))}
          </select>
        </Field>
      </div>

      <fieldset className="mt-4" aria-describedby={fieldErrors.actions ? "actions-error" : undefined}>
        <legend className="text-xs font-medium text-slate-700">Actions</legend>
        {delegatorId === "" ? (
          <p className="mt-1 text-xs text-slate-500">Choose a delegator to see what it may pass on.</p>
        ) : scope.isPending ? (
          <p className="mt-1 text-xs text-slate-500">Reading what the delegator is granted…</p>
        ) : scope.error ? (
          <p role="alert" className="mt-1 text-xs text-rose-700">
            {scope.error.message}
          </p>
        ) : offered.length === 0 ? (
          <p className="mt-1 text-xs text-slate-500">This agent is granted nothing by an enforced policy, so it has nothing to delegate.</p>
        ) : (
          <ul className="mt-1 flex flex-col gap-1 text-sm">
            {parent
              ? parent.actions.map((action) => <ActionChoice key={action} action={action} checked={picked.includes(action)} onChange={toggle} note={within(parent)} />)
              : scope.data.grants.flatMap((grant) =>
                  grant.actions.map((action) => (
                    <ActionChoice key={`${grant.policy}/${grant.rule}/${action}`} action={action} checked={picked.includes(action)} onChange={toggle} note={`${within(grant)} — ${grant.policy} / ${grant.rule}`} />
                  )),
                )}
          </ul>
        )}
        <div className="mt-2">
          <Field id="other-actions" label="Narrower actions" hint="Comma-separated, each inside one of the above, e.g. search.web under search.*." error={fieldErrors.actions}>
            <input id="other-actions" value={otherActions} onChange={(event) => setOtherActions(event.target.value)} aria-invalid={Boolean(fieldErrors.actions)} className={`w-96 font-mono ${inputClass}`} />
          </Field>
        </div>
      </fieldset>

      <div className="mt-4 flex flex-wrap gap-6">
        <Field id="merchants" label="Merchants" hint="Comma-separated; empty allows any the grant allows." error={fieldErrors.merchants}>
          <input id="merchants" value={merchants} onChange={(event) => setMerchants(event.target.value)} aria-invalid={Boolean(fieldErrors.merchants)} className={`w-56 ${inputClass}`} />
        </Field>
        <Field id="categories" label="Categories" hint="Comma-separated; empty allows any the grant allows." error={fieldErrors.categories}>
          <input id="categories" value={categories} onChange={(event) => setCategories(event.target.value)} aria-invalid={Boolean(fieldErrors.categories)} className={`w-56 ${inputClass}`} />
        </Field>
        <Field id="budget" label="Budget (optional)" hint={budgetHint(scope.data, parent)} error={fieldErrors.budget}>
          <div className="flex gap-2">
            <input id="budget" inputMode="decimal" placeholder="none" value={budgetAmount} onChange={(event) => setBudgetAmount(event.target.value)} aria-invalid={Boolean(fieldErrors.budget)} className={`w-28 tabular-nums ${inputClass}`} />
            <input aria-label="Budget currency" placeholder={defaultCurrency(scope.data, parent)} value={budgetCurrency} onChange={(event) => setBudgetCurrency(event.target.value)} aria-invalid={Boolean(fieldErrors.budget)} className={`w-16 uppercase ${inputClass}`} />
          </div>
        </Field>
        <Field id="max-depth" label="Re-delegation depth" hint="0: the delegate may not pass it on." error={fieldErrors.maxDepth}>
          <input id="max-depth" type="number" min={0} max={8} value={maxDepth} onChange={(event) => setMaxDepth(event.target.value)} aria-invalid={Boolean(fieldErrors.maxDepth)} className={`w-20 ${inputClass}`} />
        </Field>
        <Field id="expires" label="Expires" hint="In your browser's time zone." error={fieldErrors.expiresAt}>
          <input id="expires" type="datetime-local" value={expires} onChange={(event) => setExpires(event.target.value)} aria-invalid={Boolean(fieldErrors.expiresAt)} className={inputClass} />
        </Field>
      </div>

      <div className="mt-4 flex items-center gap-3">
        <button type="submit" disabled={create.isPending} className={primaryButton}>
          {create.isPending ? "Granting…" : "Grant delegation"}
        </button>
        {create.isSuccess && !create.error && (
          <p role="status" className="text-xs text-emerald-700">
            Granted {create.data.delegations[0]!.delegator.name} → {create.data.delegations[0]!.delegate.name}; snapshot version {create.data.snapshotVersion} carries it to the workers.
          </p>
        )}
        {create.error && !hasFieldErrors && (
          <p role="alert" className="text-xs text-rose-700">
            {create.error.message}
          </p>
        )}
      </div>
    </form>
  );
}

function ActionChoice({ action, checked, onChange, note }: { action: string; checked: boolean; onChange: (action: string, on: boolean) => void; note: string }) {
  return (
    <li>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={checked} onChange={(event) => onChange(action, event.target.checked)} />
        <code className="font-mono text-xs text-slate-800">{action}</code>
        <span className="text-xs text-slate-500">{note}</span>
      </label>
    </li>
  );
}

/** The currency a budget most likely takes: the parent budget's, else the delegator's first envelope's. */
function defaultCurrency(scope: DelegableScope | undefined, parent: DelegableScope["received"][number] | null): string {
  return parent?.budget?.currency ?? scope?.envelopes[0]?.currency ?? "EUR";
}

function budgetHint(scope: DelegableScope | undefined, parent: DelegableScope["received"][number] | null): string {
  const total = "A total over the delegation's life.";
  if (parent) return parent.budget ? `${total} Carved from ${formatMoney(parent.budget)}, the budget it re-delegates.` : `${total} Counts against every envelope up the chain.`;
  if (!scope || scope.envelopes.length === 0) return `${total} The delegator has no envelope over all its spend to carve it from.`;
  const largest = [...scope.envelopes].sort((a, b) => b.amount - a.amount)[0]!;
  return `${total} All budgets from this delegator together stay within its largest envelope in their currency, e.g. ${formatMoney(largest)} per ${largest.period}.`;
}
