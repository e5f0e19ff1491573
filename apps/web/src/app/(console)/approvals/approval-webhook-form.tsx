"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

/** Where new and expired requests are announced (Slack-compatible, HMAC-signed), or nowhere. */
export function ApprovalWebhookForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: settings } = useSuspenseQuery(trpc.approvals.settings.queryOptions());
  const [url, setUrl] = useState(settings.webhookUrl ?? "");
  const [secret, setSecret] = useState("");
  const save = useMutation(
    trpc.approvals.setWebhook.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(trpc.approvals.settings.queryKey(), saved);
        setSecret("");
      },
    }),
  );
  const fieldErrors = save.error?.data?.fieldErrors ?? {};
  // The input's one field holds both parts; zod names the part in its message.
  const problems = fieldErrors.webhook?.join("; ") ?? null;

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ webhook: url.trim() === "" ? null : { url: url.trim(), secret } });
  }

  return (
    <form onSubmit={submit} aria-label="Approval webhook" noValidate className="mb-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="text-base font-semibold text-slate-900">Approval webhook</h2>
      <p className="mt-1 text-xs text-slate-500">
        New and expired requests are POSTed here as Slack-compatible JSON, signed in <code>x-tollgate-signature</code> (HMAC-SHA256 of
        &quot;timestamp.body&quot;), and retried with backoff until accepted. Leave the URL empty to turn it off.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2 text-sm">
        <label htmlFor="webhook-url">URL</label>
        <input
          id="webhook-url"
          type="url"
          value={url}
          placeholder="https://hooks.slack.com/services/…"
          onChange={(event) => setUrl(event.target.value)}
          aria-invalid={problems !== null}
          aria-describedby={problems ? "webhook-error" : undefined}
          className="w-96 rounded border border-slate-300 px-2 py-1 aria-invalid:border-rose-500"
        />
        <label htmlFor="webhook-secret">Signing secret</label>
        <input
          id="webhook-secret"
          type="password"
          autoComplete="off"
          value={secret}
          placeholder={settings.webhookUrl ? "set; type to replace" : "at least 16 characters"}
          onChange={(event) => setSecret(event.target.value)}
          aria-invalid={problems !== null}
          className="w-56 rounded border border-slate-300 px-2 py-1 aria-invalid:border-rose-500"
        />
        <button type="submit" disabled={save.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          Save webhook
        </button>
      </div>
      {problems && (
        <p id="webhook-error" role="alert" className="mt-2 text-xs text-rose-700">
          {problems}
        </p>
      )}
      {save.error && !problems && (
        <p role="alert" className="mt-2 text-xs text-rose-700">
          {save.error.message}
        </p>
      )}
      {save.isSuccess && (
        <p role="status" className="mt-2 text-xs text-emerald-700">
          {save.data.webhookUrl ? "Saved: workers announce new and expired requests there." : "Turned off."}
        </p>
      )}
    </form>
  );
}
