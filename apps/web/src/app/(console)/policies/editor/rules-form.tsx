"use client";

import { useState, type ReactNode } from "react";
import { formatMajorUnits, parseMoney } from "@/components/format";
import { ENVELOPE_PERIODS, readCommonRules, writeCommonRules, type Amount, type CommonRules, type EnvelopePeriod } from "./common-rules";

const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-invalid:border-rose-500";

/** An amount as the form shows it: major units and a currency, both text while typed. */
interface AmountField {
  amount: string;
  currency: string;
}

const fieldOf = (value: Amount | null): AmountField => (value ? { amount: formatMajorUnits(value), currency: value.currency } : { amount: "", currency: "USD" });

/**
 * The common rules as a form — grants, a per-call cap, an envelope, an approval threshold — that
 * edits the same document as the code editor: applying writes them into the YAML, leaving every
 * other rule and comment as written. Amounts are typed in major units (12.50).
 */
export function RulesForm({ source, onApply }: { source: string; onApply: (source: string) => void }) {
  const rules = readCommonRules(source);
  if (rules === null) {
    return <p className="rounded-lg border border-dashed border-slate-300 p-4 text-sm text-slate-500">Fix the YAML syntax to edit the common rules here.</p>;
  }
  // Re-mounted whenever the text changes, so the form always starts from what the code says.
  return <CommonRulesFields key={source} rules={rules} onApply={(next) => onApply(writeCommonRules(source, next))} />;
}

function CommonRulesFields({ rules, onApply }: { rules: CommonRules; onApply: (rules: CommonRules) => void }) {
  const [grants, setGrants] = useState(rules.grantActions.join(", "));
  const [cap, setCap] = useState(fieldOf(rules.cap));
  const [envelope, setEnvelope] = useState(fieldOf(rules.envelope));
  const [period, setPeriod] = useState<EnvelopePeriod>(rules.envelope?.period ?? "day");
  const [approval, setApproval] = useState(fieldOf(rules.approvalOver));
  const [errors, setErrors] = useState<Record<string, string>>({});

  function apply() {
    const problems: Record<string, string> = {};
    const amountOf = (name: string, field: AmountField): Amount | null => {
      if (field.amount.trim() === "") return null;
      const currency = field.currency.trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) {
        problems[name] = "the currency must be an ISO 4217 code such as USD";
        return null;
      }
      const amount = parseMoney(field.amount, currency);
      if (amount === null || amount <= 0) problems[name] = "must be a positive amount like 50 or 12.50";
      return amount === null ? null : { amount, currency };
    };
    const next: CommonRules = {
      grantActions: grants.split(",").map((action) => action.trim()).filter((action) => action !== ""),
      cap: amountOf("cap", cap),
      envelope: null,
      approvalOver: amountOf("approval", approval),
    };
    const limit = amountOf("envelope", envelope);
    next.envelope = limit && { ...limit, period };
    setErrors(problems);
    if (Object.keys(problems).length === 0) onApply(next);
  }

  return (
    <form
      aria-label="Common rules"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
      className="space-y-3 text-sm"
    >
      <Field label="Allowed actions" hint="Comma-separated, e.g. stripe.charges.create, search.*" htmlFor="rules-grants">
        <input id="rules-grants" value={grants} onChange={(event) => setGrants(event.target.value)} className={`${input} w-full font-mono`} />
      </Field>
      <AmountInput id="rules-cap" label="Per-call cap" hint="Largest amount one call may ask for." field={cap} onChange={setCap} error={errors.cap} />
      <AmountInput id="rules-envelope" label="Envelope" hint="Total an agent may spend per period." field={envelope} onChange={setEnvelope} error={errors.envelope}>
        <select aria-label="Envelope period" value={period} onChange={(event) => setPeriod(event.target.value as EnvelopePeriod)} className={input}>
          {ENVELOPE_PERIODS.map((value) => (
            <option key={value} value={value}>
              per {value.replace("_", " ")}
            </option>
          ))}
        </select>
      </AmountInput>
      <AmountInput id="rules-approval" label="Approval above" hint="Calls above this wait for a reviewer." field={approval} onChange={setApproval} error={errors.approval} />
      <button type="submit" className="rounded-md border border-indigo-300 bg-indigo-50 px-3 py-1.5 font-medium text-indigo-700 hover:bg-indigo-100">
        Apply to YAML
      </button>
    </form>
  );
}

function Field({ label, hint, htmlFor, error, children }: { label: string; hint: string; htmlFor: string; error?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={htmlFor} className="block font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1 flex flex-wrap items-center gap-2">{children}</div>
      {error ? (
        <p id={`${htmlFor}-error`} className="mt-1 text-xs text-rose-700">
          {error}
        </p>
      ) : (
        <p className="mt-1 text-xs text-slate-500">{hint}</p>
      )}
    </div>
  );
}

function AmountInput({
  id,
  label,
  hint,
  field,
  onChange,
  error,
  children,
}: {
  id: string;
  label: string;
  hint: string;
  field: AmountField;
  onChange: (field: AmountField) => void;
  error?: string;
  children?: ReactNode;
}) {
  return (
    <Field label={label} hint={`${hint} Empty for none.`} htmlFor={id} error={error}>
      <input
        id={id}
        inputMode="decimal"
        placeholder="none"
        value={field.amount}
        onChange={(event) => onChange({ ...field, amount: event.target.value })}
        aria-invalid={error !== undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`${input} w-28 tabular-nums`}
      />
      <input aria-label={`${label} currency`} value={field.currency} onChange={(event) => onChange({ ...field, currency: event.target.value })} className={`${input} w-16 uppercase`} />
      {children}
    </Field>
  );
}
