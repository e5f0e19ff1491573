"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RevokeButton } from "@/components/revoke-button";
import { NewCredentialForm } from "@/components/new-credential-form";
import { ShownOnce } from "@/components/shown-once";
import { useTRPC } from "@/trpc/react";



/** Issues a key for the agent and shows its plaintext once: the server keeps only a hash. */
export function NewKeyForm({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.agents.keys.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.agents.byId.queryKey({ id: agentId }) }) }),
  );
  return (
    <NewCredentialForm
      formLabel="New key"
      submitLabel="New key"
      idPrefix="key"
      namePlaceholder="default"
      pending={create.isPending}
      error={create.error}
      onIssue={({ name, expiresAt }) => create.mutateAsync({ agentId, name: name.trim() === "" ? undefined : name, expiresAt })}
    >
      {create.data && (
        <ShownOnce title={`Copy key ${create.data.name} now: it will not be shown again.`} secret={create.data.key} onDismiss={create.reset}>
          <p className="mt-1 text-xs">Workers accept it from snapshot version {create.data.snapshotVersion}.</p>
        </ShownOnce>
      )}
    </NewCredentialForm>
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
