"use client";

import type { RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { dangerButton, smallButton } from "@/components/button-styles";
import { useTRPC } from "@/trpc/react";

type Delegation = RouterOutputs["delegations"]["list"]["items"][number];

/**
 * Revoke, after a confirm that names what goes with it: every live delegation re-delegated
 * from this one is revoked too, since it acts on this one's authority.
 */
export function RevokeDelegation({ delegation, redelegated }: { delegation: Delegation; redelegated: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation(
    trpc.delegations.revoke.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        return queryClient.invalidateQueries({ queryKey: trpc.delegations.pathKey() });
      },
    }),
  );
  if (delegation.status !== "active") return null;
  if (!confirming) {
    return (
      <button type="button" className={dangerButton} onClick={() => setConfirming(true)}>
        Revoke…
      </button>
    );
  }
  return (
    <div role="group" aria-label="Confirm revocation" className="rounded-md border border-rose-200 bg-rose-50 p-2 text-xs text-rose-900">
      <p>
        {delegation.delegate.name} loses what {delegation.delegator.name} granted it
        {redelegated > 0 ? `, and ${redelegated} delegation${redelegated === 1 ? "" : "s"} re-delegated from it ${redelegated === 1 ? "is" : "are"} revoked too` : ""}. Workers apply it within a second.
      </p>
      <div className="mt-2 flex gap-2">
        <button type="button" className={dangerButton} disabled={revoke.isPending} onClick={() => revoke.mutate({ id: delegation.id })}>
          {revoke.isPending ? "Revoking…" : "Revoke"}
        </button>
        <button type="button" className={smallButton} onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
      {revoke.error && (
        <p role="alert" className="mt-1 text-rose-700">
          {revoke.error.message}
        </p>
      )}
    </div>
  );
}

/** How many live delegations hang below `id` through re-delegation, as revoking it would revoke them. */
export function countRedelegated(id: string, delegations: readonly Delegation[]): number {
  const below = new Set<string>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const delegation of delegations) {
      if (delegation.status === "active" && delegation.parentDelegationId !== null && below.has(delegation.parentDelegationId) && !below.has(delegation.id)) {
        below.add(delegation.id);
        grew = true;
      }
    }
  }
  return below.size - 1;
}
