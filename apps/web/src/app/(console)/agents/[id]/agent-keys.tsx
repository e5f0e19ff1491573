"use client";

import type { RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { useTRPC } from "@/trpc/react";
import { dangerButton, primaryButton, smallButton } from "./button-styles";

type IssuedKey = RouterOutputs["agents"]["keys"]["create"];

/** The `datetime-local` value (the browser's time zone) as ISO 8601; an unreadable one goes as typed, for the server to name. */
function expiryOf(local: string): string | undefined {
  if (local === "") return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/** Issues a key for the agent and shows its plaintext once: the server keeps only a hash. */
export function NewKeyForm({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("");
  const create = useMutation(
    trpc.agents.keys.create.mutationOptions({
      onSuccess: () => {
        setName("");
        setExpiry("");
        return queryClient.invalidateQueries({ queryKey: trpc.agents.byId.queryKey({ id: agentId }) });
      },
    }),
  );
  const fieldErrors = create.error?.data?.fieldErrors ?? {};

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ agentId, name: name.trim() === "" ? undefined : name, expiresAt: expiryOf(expiry) });
  }

  return (
    <div className="mb-4">
      <form onSubmit={submit} aria-label="New key" noValidate className="flex flex-wrap items-start gap-2 text-sm">
        <Field id="key-name" label="Name" problems={fieldErrors.name}>
          <input id="key-name" value={name} placeholder="default" onChange={(event) => setName(event.target.value)} aria-invalid={Boolean(fieldErrors.name)} className={inputClass} />
        </Field>
        <Field id="key-expiry" label="Expires (your time)" problems={fieldErrors.expiresAt}>
          <input id="key-expiry" type="datetime-local" value={expiry} onChange={(event) => setExpiry(event.target.value)} aria-invalid={Boolean(fieldErrors.expiresAt)} className={inputClass} />
        </Field>
        <button type="submit" disabled={create.isPending} className={`mt-4 ${primaryButton}`}>
          {create.isPending ? "Issuing…" : "New key"}
        </button>
      </form>
      {create.error && !fieldErrors.name && !fieldErrors.expiresAt && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {create.error.message}
        </p>
      )}
      {create.data && <IssuedKeyPanel issued={create.data} onDismiss={create.reset} />}
    </div>
  );
}

const inputClass = "w-56 rounded border border-slate-300 px-2 py-1 aria-invalid:border-rose-500";

function Field({ id, label, problems, children }: { id: string; label: string; problems: string[] | undefined; children: ReactNode }) {
  return (
    <div className="flex flex-col">
      <label htmlFor={id} className="text-xs font-medium text-slate-600">
        {label}
      </label>
      {children}
      {problems && (
        <span role="alert" className="mt-0.5 text-xs text-rose-700">
          {problems.join("; ")}
        </span>
      )}
    </div>
  );
}

/** The plaintext key, this once; dismissing it (or leaving the page) loses it for good. */
function IssuedKeyPanel({ issued, onDismiss }: { issued: IssuedKey; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
      <p className="font-medium">Copy key {issued.name} now: it will not be shown again.</p>
      <div className="mt-2 flex items-center gap-2">
        <code data-testid="issued-key" className="select-all break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900">
          {issued.key}
        </code>
        <button type="button" className={smallButton} onClick={() => navigator.clipboard.writeText(issued.key).then(() => setCopied(true))}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className={smallButton} onClick={onDismiss}>
          Done
        </button>
      </div>
      <p className="mt-1 text-xs">Workers accept it from snapshot version {issued.snapshotVersion}.</p>
    </div>
  );
}

/** Revokes a key after a second click, since a revoked key cannot be restored. */
export function RevokeKey({ agentId, keyId }: { agentId: string; keyId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation(
    trpc.agents.keys.revoke.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.agents.byId.queryKey({ id: agentId }) }),
    }),
  );
  return (
    <div>
      {confirming ? (
        <span className="flex gap-1">
          <button type="button" className={dangerButton} disabled={revoke.isPending} onClick={() => revoke.mutate({ keyId })}>
            {revoke.isPending ? "Revoking…" : "Revoke for good"}
          </button>
          <button type="button" className={smallButton} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" className={smallButton} onClick={() => setConfirming(true)}>
          Revoke
        </button>
      )}
      {revoke.error && <div className="mt-0.5 text-xs text-rose-700">{revoke.error.message}</div>}
    </div>
  );
}
