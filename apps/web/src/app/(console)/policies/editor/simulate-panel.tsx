"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { StatusBadge } from "@/components/badge";
import { parseMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";

const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-invalid:border-rose-500";

/** Asks the draft (not what is published) about one request: outcome, reasons and the evaluation trace. */
export function SimulatePanel({ source }: { source: string }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const agents = useQuery(trpc.agents.list.queryOptions({ search: search.trim() || undefined, pageSize: 50 }));
  const [agentId, setAgentId] = useState("");
  const [action, setAction] = useState("");
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [merchant, setMerchant] = useState("");
  const [category, setCategory] = useState("");
  const [onBehalfOf, setOnBehalfOf] = useState("");
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const simulate = useMutation(trpc.policies.simulate.mutationOptions());
  const errorOf = (field: string) => localErrors[field] ?? null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (agentId === "") problems.agentId = "choose the agent that asks";
    if (action.trim() === "") problems.action = "is required, e.g. stripe.charges.create";
    let money: { amount: number; currency: string } | undefined;
    if (amount.trim() !== "") {
      const minor = parseMoney(amount, currency.trim().toUpperCase());
      if (minor === null) problems.amount = "must be an amount like 50 or 12.50";
      else money = { amount: minor, currency: currency.trim().toUpperCase() };
    }
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const optional = (text: string) => text.trim() || undefined;
    simulate.mutate({
      source,
      request: { agentId, action: action.trim(), amount: money, merchant: optional(merchant), category: optional(category), onBehalfOf: optional(onBehalfOf) },
    });
  }

  const result = simulate.data;
  // The server names the request's problems under `request` and the draft's under its paths.
  const requestErrors = simulate.error?.data?.fieldErrors?.request;
  const otherError = simulate.error ? (requestErrors ? `The request: ${requestErrors.join("; ")}` : simulate.error.message) : null;
  return (
    <section aria-labelledby="simulate-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="simulate-heading" className="text-base font-semibold text-slate-900">Simulate</h2>
      <p className="mt-1 text-xs text-slate-500">Evaluates one request against this draft with the rest of the organization as published, nothing spent yet.</p>
      <form onSubmit={submit} noValidate aria-label="Simulate a request" className="mt-3 grid grid-cols-2 gap-3 text-sm">
        <div className="col-span-2">
          <label htmlFor="simulate-agent" className="block font-medium text-slate-700">Agent</label>
          <div className="mt-1 flex gap-2">
            <input aria-label="Find an agent" placeholder="Find by name or tag" value={search} onChange={(event) => setSearch(event.target.value)} className={`${input} w-40`} />
            <select id="simulate-agent" value={agentId} onChange={(event) => setAgentId(event.target.value)} aria-invalid={errorOf("agentId") !== null} className={`${input} min-w-0 flex-1`}>
              <option value="">Choose an agent…</option>
              {agents.data?.items.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                </option>
              ))}
            </select>
          </div>
          <FieldError text={errorOf("agentId")} />
        </div>
        <TextField id="simulate-action" label="Action" value={action} onChange={setAction} placeholder="stripe.charges.create" error={errorOf("action")} />
        <div>
          <label htmlFor="simulate-amount" className="block font-medium text-slate-700">Amount</label>
          <div className="mt-1 flex gap-2">
            <input id="simulate-amount" inputMode="decimal" placeholder="free" value={amount} onChange={(event) => setAmount(event.target.value)} aria-invalid={errorOf("amount") !== null} className={`${input} w-24 tabular-nums`} />
            <input aria-label="Currency" value={currency} onChange={(event) => setCurrency(event.target.value)} className={`${input} w-16 uppercase`} />
          </div>
          <FieldError text={errorOf("amount")} />
        </div>
        <TextField id="simulate-merchant" label="Merchant" value={merchant} onChange={setMerchant} placeholder="optional" error={errorOf("merchant")} />
        <TextField id="simulate-category" label="Category" value={category} onChange={setCategory} placeholder="optional" error={errorOf("category")} />
        <div className="col-span-2">
          <TextField id="simulate-on-behalf-of" label="On behalf of (delegation id)" value={onBehalfOf} onChange={setOnBehalfOf} placeholder="optional" error={errorOf("onBehalfOf")} />
        </div>
        <div className="col-span-2">
          <button type="submit" disabled={simulate.isPending} className="rounded-md bg-slate-800 px-3 py-1.5 font-medium text-white hover:bg-slate-700 disabled:opacity-50">
            {simulate.isPending ? "Evaluating…" : "Simulate"}
          </button>
        </div>
      </form>
      {otherError && (
        <p role="alert" className="mt-3 text-sm text-rose-700">
          {otherError}
        </p>
      )}
      {result && (
        <div className="mt-4 border-t border-slate-100 pt-3 text-sm" data-testid="simulation-result">
          <p className="flex items-center gap-2">
            <span className="font-medium text-slate-700">Outcome</span> <StatusBadge status={result.outcome} />
            {result.shadow && (
              <span className="text-xs text-slate-500">
                shadow: <StatusBadge status={result.shadow.outcome} />
              </span>
            )}
          </p>
          {result.reasons.length > 0 && (
            <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700">
              {result.reasons.map((reason, index) => (
                <li key={index}>
                  <code className="text-xs">{reason.code}</code> {reason.message}
                  {reason.rule && <span className="text-xs text-slate-500"> (rule {reason.rule})</span>}
                </li>
              ))}
            </ul>
          )}
          <ol className="mt-3 flex flex-wrap gap-1 text-xs" aria-label="Evaluation trace">
            {result.trace.map((entry) => (
              <li key={entry.step} className={`rounded px-1.5 py-0.5 ring-1 ring-inset ${traceTone[entry.result]}`}>
                {entry.step}: {entry.result}
                {entry.checked > 0 && ` (${entry.checked})`}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

const traceTone = {
  pass: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  fail: "bg-rose-50 text-rose-700 ring-rose-600/20",
  pending: "bg-amber-50 text-amber-800 ring-amber-600/20",
  skip: "bg-slate-50 text-slate-500 ring-slate-400/20",
} as const;

function TextField({ id, label, value, onChange, placeholder, error }: { id: string; label: string; value: string; onChange: (value: string) => void; placeholder: string; error: string | null }) {
  return (
    <div>
      <label htmlFor={id} className="block font-medium text-slate-700">
        {label}
      </label>
      <input id={id} value={value} placeholder={placeholder} onChange={(event) => onChange(event.target.value)} aria-invalid={error !== null} className={`${input} mt-1 w-full`} />
      <FieldError text={error} />
    </div>
  );
}

function FieldError({ text }: { text: string | null }) {
  return text ? <p className="mt-1 text-xs text-rose-700">{text}</p> : null;
}
