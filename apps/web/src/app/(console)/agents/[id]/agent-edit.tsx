"use client";

import type { RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field, FormButtons, inputClass } from "@/components/field";
import { useTRPC } from "@/trpc/react";
import { tagsOf } from "../new-agent-form";
import { smallButton } from "@/components/button-styles";

type Agent = RouterOutputs["agents"]["byId"];

/** Gives the agent another owner (by email), description or tags; tags change which policies select it. */
export function EditAgent({ agent }: { agent: Agent }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [fields, setFields] = useState({ owner: "", description: agent.description, tags: agent.tags.join(", ") });
  const update = useMutation(
    trpc.agents.update.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.agents.byId.queryKey({ id: agent.id }) }),
          queryClient.invalidateQueries({ queryKey: trpc.agents.overview.queryKey({ id: agent.id }) }),
        ]);
      },
    }),
  );
  const fieldErrors = update.error?.data?.fieldErrors ?? {};
  const named = ["owner", "description", "tags"].some((field) => fieldErrors[field]);
  const edit = (field: keyof typeof fields) => (event: { target: { value: string } }) => setFields({ ...fields, [field]: event.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    const tags = tagsOf(fields.tags);
    update.mutate({
      id: agent.id,
      owner: fields.owner.trim() || undefined,
      description: fields.description.trim() === agent.description ? undefined : fields.description.trim(),
      tags: tags.join(",") === agent.tags.join(",") ? undefined : tags,
    });
  }

  if (!open) {
    return (
      <div className="-mt-3 mb-6">
        <button type="button" onClick={() => setOpen(true)} className={smallButton}>
          Edit owner and tags…
        </button>
      </div>
    );
  }
  return (
    <div className="mb-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <form onSubmit={submit} aria-label="Edit agent" noValidate className="flex flex-wrap items-start gap-3 text-sm">
        <Field id="edit-owner" label={`Owner (email; now ${agent.owner.name})`} problems={fieldErrors.owner}>
          <input id="edit-owner" type="email" value={fields.owner} placeholder="unchanged" onChange={edit("owner")} aria-invalid={Boolean(fieldErrors.owner)} className={inputClass} />
        </Field>
        <Field id="edit-tags" label="Tags (comma-separated)" problems={fieldErrors.tags}>
          <input id="edit-tags" value={fields.tags} onChange={edit("tags")} aria-invalid={Boolean(fieldErrors.tags)} className={inputClass} />
        </Field>
        <Field id="edit-description" label="Description" problems={fieldErrors.description}>
          <input id="edit-description" value={fields.description} onChange={edit("description")} aria-invalid={Boolean(fieldErrors.description)} className={inputClass} />
        </Field>
        <FormButtons label="Save" pendingLabel="Saving…" pending={update.isPending} onCancel={() => setOpen(false)} />
      </form>
      <p className="mt-2 text-xs text-slate-500">Policies select agents by tag: saving publishes the change to every worker.</p>
      {update.error && !named && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {update.error.message}
        </p>
      )}
    </div>
  );
}
