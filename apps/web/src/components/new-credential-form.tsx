"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { primaryButton } from "./button-styles";
import { Field, inputClass } from "./field";

/** The `datetime-local` value (the browser's time zone) as ISO 8601; an unreadable one goes as typed, for the server to name. */
function expiryOf(local: string): string | undefined {
  if (local === "") return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/**
 * The name-and-expiry form that issues a credential (an agent key, an admin API token); the
 * caller shows the secret once in `children`. The fields clear once `onIssue` succeeds.
 */
export function NewCredentialForm({
  formLabel,
  submitLabel,
  idPrefix,
  namePlaceholder,
  pending,
  error,
  onIssue,
  children,
}: {
  formLabel: string;
  submitLabel: string;
  idPrefix: string;
  namePlaceholder: string;
  pending: boolean;
  /** The issuing mutation's error, as tRPC reports it: its field errors are shown at their fields. */
  error: { message: string; data?: { fieldErrors?: Record<string, string[] | undefined> | null } | null } | null;
  onIssue: (fields: { name: string; expiresAt: string | undefined }) => Promise<unknown>;
  children?: ReactNode;
}) {
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("");
  const fieldErrors = error?.data?.fieldErrors ?? {};

  function submit(event: FormEvent) {
    event.preventDefault();
    onIssue({ name, expiresAt: expiryOf(expiry) }).then(
      () => {
        setName("");
        setExpiry("");
      },
      // The mutation's error is shown from `error`.
      () => {},
    );
  }

  return (
    <div className="mb-4">
      <form onSubmit={submit} aria-label={formLabel} noValidate className="flex flex-wrap items-start gap-2 text-sm">
        <Field id={`${idPrefix}-name`} label="Name" problems={fieldErrors.name}>
          <input id={`${idPrefix}-name`} value={name} placeholder={namePlaceholder} onChange={(event) => setName(event.target.value)} aria-invalid={Boolean(fieldErrors.name)} className={inputClass} />
        </Field>
        <Field id={`${idPrefix}-expiry`} label="Expires (your time)" problems={fieldErrors.expiresAt}>
          <input id={`${idPrefix}-expiry`} type="datetime-local" value={expiry} onChange={(event) => setExpiry(event.target.value)} aria-invalid={Boolean(fieldErrors.expiresAt)} className={inputClass} />
        </Field>
        <button type="submit" disabled={pending} className={`mt-4 ${primaryButton}`}>
          {pending ? "Issuing…" : submitLabel}
        </button>
      </form>
      {error && !fieldErrors.name && !fieldErrors.expiresAt && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {error.message}
        </p>
      )}
      {children}
    </div>
  );
}
