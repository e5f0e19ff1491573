"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field, inputClass } from "@/components/field";
import { RevokeButton } from "@/components/revoke-button";
import { ShownOnce } from "@/components/shown-once";
import { useTRPC } from "@/trpc/react";
import { primaryButton } from "@/components/button-styles";


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
      {create.data && (
        <ShownOnce title={`Copy key ${create.data.name} now: it will not be shown again.`} secret={create.data.key} onDismiss={create.reset}>
          <p className="mt-1 text-xs">Workers accept it from snapshot version {create.data.snapshotVersion}.</p>
        </ShownOnce>
      )}
    </div>
  );
}


/** Revokes a key after a second click, since a revoked key cannot be restored. */
export function RevokeKey({ agentId, keyId }: { agentId: string; keyId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.agents.keys.revoke.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.agents.byId.queryKey({ id: agentId }) }),
    }),
  );
  return <RevokeButton onRevoke={() => revoke.mutate({ keyId })} pending={revoke.isPending} error={revoke.error?.message} />;
}
