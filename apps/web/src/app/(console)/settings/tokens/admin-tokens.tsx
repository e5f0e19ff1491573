"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { Field, inputClass } from "@/components/field";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { RevokeButton } from "@/components/revoke-button";
import { ShownOnce } from "@/components/shown-once";
import { useTRPC } from "@/trpc/react";
import { primaryButton } from "@/components/button-styles";

type Token = RouterOutputs["adminTokens"]["list"]["items"][number];

/** The `datetime-local` value (the browser's time zone) as ISO 8601; an unreadable one goes as typed, for the server to name. */
function expiryOf(local: string): string | undefined {
  if (local === "") return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/** Issues a token for the signed-in admin and shows it once: the server keeps only a hash. */
export function NewTokenForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("");
  const create = useMutation(
    trpc.adminTokens.create.mutationOptions({
      onSuccess: () => {
        setName("");
        setExpiry("");
        return queryClient.invalidateQueries({ queryKey: trpc.adminTokens.list.queryKey() });
      },
    }),
  );
  const fieldErrors = create.error?.data?.fieldErrors ?? {};

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name, expiresAt: expiryOf(expiry) });
  }

  return (
    <div className="mb-4">
      <form onSubmit={submit} aria-label="New API token" noValidate className="flex flex-wrap items-start gap-2 text-sm">
        <Field id="token-name" label="Name" problems={fieldErrors.name}>
          <input id="token-name" value={name} placeholder="ci" onChange={(event) => setName(event.target.value)} aria-invalid={Boolean(fieldErrors.name)} className={inputClass} />
        </Field>
        <Field id="token-expiry" label="Expires (your time)" problems={fieldErrors.expiresAt}>
          <input id="token-expiry" type="datetime-local" value={expiry} onChange={(event) => setExpiry(event.target.value)} aria-invalid={Boolean(fieldErrors.expiresAt)} className={inputClass} />
        </Field>
        <button type="submit" disabled={create.isPending} className={`mt-4 ${primaryButton}`}>
          {create.isPending ? "Issuing…" : "New token"}
        </button>
      </form>
      {create.error && !fieldErrors.name && !fieldErrors.expiresAt && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {create.error.message}
        </p>
      )}
      {create.data && <ShownOnce title={`Copy token ${create.data.name} now: it will not be shown again.`} secret={create.data.token} onDismiss={create.reset} />}
    </div>
  );
}

/** Revokes a token after a second click, since a revoked token cannot be restored. */
function RevokeToken({ tokenId }: { tokenId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.adminTokens.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.adminTokens.list.queryKey() }) }),
  );
  return <RevokeButton onRevoke={() => revoke.mutate({ tokenId })} pending={revoke.isPending} error={revoke.error?.message} />;
}

function statusOf(token: Token): string {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return "expired";
  return "active";
}

/** The signed-in admin's tokens, by prefix only. */
export function AdminTokensTable({ input }: { input: RouterInputs["adminTokens"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.adminTokens.list.queryOptions(input));
  return (
    <DataTable<Token>
      label="API tokens"
      data={data}
      rowKey={(token) => token.id}
      empty={{ title: "You have no API tokens", description: "Create one above to use the tollgate CLI (plan, apply, export) against this console." }}
      columns={[
        { header: "Name", cell: (token) => token.name },
        { header: "Prefix", cell: (token) => <code className="font-mono text-xs text-slate-900">{token.prefix}</code> },
        { header: "Status", cell: (token) => <StatusBadge status={statusOf(token)} /> },
        { header: "Created", cell: (token) => formatTime(token.createdAt, timeZone) },
        { header: "Last used", cell: (token) => (token.lastUsedAt ? formatTime(token.lastUsedAt, timeZone) : "never") },
        { header: "Expires", cell: (token) => (token.expiresAt ? formatTime(token.expiresAt, timeZone) : "never") },
        { header: "", cell: (token) => (token.revokedAt ? null : <RevokeToken tokenId={token.id} />) },
      ]}
    />
  );
}
