"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, FormButtons, inputClass } from "@/components/field";
import { useTRPC } from "@/trpc/react";
import { primaryButton } from "@/components/button-styles";

/** "a, b ,c" → ["a", "b", "c"]: tags as a person types them. */
export const tagsOf = (text: string) =>
  text
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");

/** Creates an agent (admins), published to the workers at once, and opens its page to issue a key. */
export function NewAgentForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [fields, setFields] = useState({ name: "", description: "", owner: "", tags: "" });
  const create = useMutation(trpc.agents.create.mutationOptions({ onSuccess: (agent) => router.push(`/agents/${agent.id}`) }));
  const fieldErrors = create.error?.data?.fieldErrors ?? {};
  const named = ["name", "description", "owner", "tags"].some((field) => fieldErrors[field]);
  const edit = (field: keyof typeof fields) => (event: { target: { value: string } }) => setFields({ ...fields, [field]: event.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name: fields.name.trim(), description: fields.description.trim() || undefined, owner: fields.owner.trim() || undefined, tags: tagsOf(fields.tags) });
  }

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className={primaryButton}>
        New agent
      </button>
    );
  }
  return (
    <div className="mb-6 w-full rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <form onSubmit={submit} aria-label="New agent" noValidate className="flex flex-wrap items-start gap-3 text-sm">
        <Field id="agent-name" label="Name" problems={fieldErrors.name}>
          <input id="agent-name" value={fields.name} placeholder="invoice-bot" onChange={edit("name")} aria-invalid={Boolean(fieldErrors.name)} className={inputClass} />
        </Field>
        <Field id="agent-owner" label="Owner (email)" problems={fieldErrors.owner}>
          <input id="agent-owner" type="email" value={fields.owner} placeholder="you, if left empty" onChange={edit("owner")} aria-invalid={Boolean(fieldErrors.owner)} className={inputClass} />
        </Field>
        <Field id="agent-tags" label="Tags (comma-separated)" problems={fieldErrors.tags}>
          <input id="agent-tags" value={fields.tags} placeholder="purchasing, eu" onChange={edit("tags")} aria-invalid={Boolean(fieldErrors.tags)} className={inputClass} />
        </Field>
        <Field id="agent-description" label="Description" problems={fieldErrors.description}>
          <input id="agent-description" value={fields.description} onChange={edit("description")} aria-invalid={Boolean(fieldErrors.description)} className={inputClass} />
        </Field>
        <FormButtons label="Create agent" pendingLabel="Creating…" pending={create.isPending} onCancel={() => setOpen(false)} />
      </form>
      <p className="mt-2 text-xs text-slate-500">Policies select agents by tag; the new agent reaches every worker as soon as it is created. Issue its key on the next page.</p>
      {create.error && !named && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {create.error.message}
        </p>
      )}
    </div>
  );
}
