"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { RevokeButton } from "@/components/revoke-button";
import { NewCredentialForm } from "@/components/new-credential-form";
import { ShownOnce } from "@/components/shown-once";
import { useTRPC } from "@/trpc/react";

type Token = RouterOutputs["adminTokens"]["list"]["items"][number];


/** Issues a token for the signed-in admin and shows it once: the server keeps only a hash. */
export function NewTokenForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.adminTokens.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.adminTokens.list.queryKey() }) }));
  return (
    <NewCredentialForm
      formLabel="New API token"
      submitLabel="New token"
      idPrefix="token"
      namePlaceholder="ci"
      pending={create.isPending}
      error={create.error}
      onIssue={({ name, expiresAt }) => create.mutateAsync({ name, expiresAt })}
    >
      {create.data && <ShownOnce title={`Copy token ${create.data.name} now: it will not be shown again.`} secret={create.data.token} onDismiss={create.reset} />}
    </NewCredentialForm>
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
