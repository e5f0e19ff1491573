"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { dangerButton, smallButton } from "@/components/button-styles";

/**
 * Suspend (after showing every delegate it takes down with it) or resume the agent. Resuming
 * names this agent only: its delegates stay suspended until each is resumed.
 */
export function SuspensionControls({ agent }: { agent: { id: string; name: string; status: "active" | "suspended" } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [previewing, setPreviewing] = useState(false);
  const [reason, setReason] = useState("");
  // Suspension changes the agent and its delegates, so every agent query may be stale.
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
  const preview = useQuery({ ...trpc.agents.suspension.preview.queryOptions({ agentId: agent.id }), enabled: previewing, staleTime: 0 });
  const suspend = useMutation(
    trpc.agents.suspend.mutationOptions({
      onSuccess: () => {
        setPreviewing(false);
        setReason("");
        return refresh();
      },
    }),
  );
  const resume = useMutation(trpc.agents.resume.mutationOptions({ onSuccess: refresh }));
  const reasonProblems = suspend.error?.data?.fieldErrors?.reason;
  const refusal = (suspend.error && !reasonProblems ? suspend.error : resume.error)?.message;

  if (agent.status === "suspended") {
    return (
      <div className="mb-6 text-sm">
        <button type="button" className={smallButton} disabled={resume.isPending} onClick={() => resume.mutate({ agentId: agent.id })}>
          {resume.isPending ? "Resuming…" : "Resume"}
        </button>
        <span className="ml-2 text-xs text-slate-500">Resumes {agent.name} only: its delegates stay suspended until each is resumed.</span>
        {refusal && <p role="alert" className="mt-1 text-xs text-rose-700">{refusal}</p>}
      </div>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    suspend.mutate({ agentId: agent.id, reason: reason.trim() === "" ? undefined : reason });
  }

  if (!previewing) {
    return (
      <div className="mb-6">
        <button type="button" className={dangerButton} onClick={() => setPreviewing(true)}>
          Suspend…
        </button>
      </div>
    );
  }
  const delegates = preview.data?.delegates ?? [];
  return (
    <form onSubmit={submit} aria-label="Suspend agent" noValidate className="mb-6 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900">
      {preview.isPending ? (
        <p>Finding the delegates of {agent.name}…</p>
      ) : preview.error ? (
        <p role="alert">{preview.error.message}</p>
      ) : (
        <p data-testid="suspension-preview">
          {delegates.length === 0
            ? `Suspending ${agent.name} affects no other agent: nothing is delegated from it.`
            : `Suspending ${agent.name} also suspends: ${delegates.map((delegate) => (delegate.status === "suspended" ? `${delegate.name} (already suspended)` : delegate.name)).join(", ")}.`}
        </p>
      )}
      <div className="mt-2 flex flex-wrap items-start gap-2">
        <div className="flex flex-col">
          <label htmlFor="suspend-reason" className="text-xs font-medium">
            Reason (optional)
          </label>
          <input
            id="suspend-reason"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            aria-invalid={Boolean(reasonProblems)}
            className="w-80 rounded border border-slate-300 bg-white px-2 py-1 aria-invalid:border-rose-500"
          />
          {reasonProblems && <span role="alert" className="mt-0.5 text-xs text-rose-700">{reasonProblems.join("; ")}</span>}
        </div>
        <button type="submit" className={`mt-4 ${dangerButton}`} disabled={suspend.isPending || !preview.isSuccess}>
          {suspend.isPending ? "Suspending…" : delegates.length === 0 ? "Suspend" : "Suspend all"}
        </button>
        <button type="button" className={`mt-4 ${smallButton}`} onClick={() => setPreviewing(false)}>
          Cancel
        </button>
      </div>
      {refusal && <p role="alert" className="mt-1 text-xs text-rose-700">{refusal}</p>}
    </form>
  );
}
