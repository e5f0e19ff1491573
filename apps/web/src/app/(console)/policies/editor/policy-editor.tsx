"use client";

import { primaryButton, secondaryButton } from "@/components/button-styles";
import type { RouterOutputs } from "@tollgate/api";
import { parsePolicyDocument } from "@tollgate/policy";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { CodeEditor } from "./code-editor";
import { ReplayPanel } from "./replay-panel";
import { RulesForm } from "./rules-form";
import { SimulatePanel } from "./simulate-panel";
import { locateErrors, type PathError } from "./source-errors";

/** The server's refusal of one text: its errors stay shown until that text is edited. */
interface Refusal {
  source: string;
  message: string;
  errors: PathError[];
}

type Written = RouterOutputs["policies"]["publish"];

// One empty list, so the error marks are recomputed only when errors change.
const NONE: PathError[] = [];

/**
 * The policy editor: YAML in a code editor validated as you type (errors underlined at their
 * line), a form for the common rules writing into the same text, save as draft, publish (the
 * server's compiler errors shown in place), and simulate and replay against the draft.
 */
export function PolicyEditor({ policyId, initialSource }: { policyId: string | null; initialSource: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [source, setSource] = useState(initialSource);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [written, setWritten] = useState<Written | null>(null);
  const checked = useDeferredValue(source);
  const parseErrors = useMemo(() => {
    const parsed = parsePolicyDocument(checked);
    return parsed.ok ? [] : [...parsed.errors];
  }, [checked]);
  const serverErrors = useMemo(() => (refusal?.source === source ? refusal.errors : NONE), [refusal, source]);
  const shown = useMemo(() => locateErrors(checked, serverErrors.length > 0 ? serverErrors : parseErrors), [checked, serverErrors, parseErrors]);

  const callbacks = {
    onMutate: () => {
      setWritten(null);
      setRefusal(null);
    },
    onSuccess: async (result: Written) => {
      setWritten(result);
      await queryClient.invalidateQueries({ queryKey: trpc.policies.pathKey() });
      if (policyId === null) router.push(`/policies/${result.policyId}`);
    },
    onError: (error: { data?: { fieldErrors?: Record<string, string[]> | null } | null; message: string }, input: { source: string }) => {
      const fieldErrors = error.data?.fieldErrors ?? {};
      const errors = Object.entries(fieldErrors).flatMap(([path, messages]) => messages.map((message) => ({ path, message })));
      setRefusal({ source: input.source, message: error.message.split(": ")[0]!, errors: errors.length > 0 ? errors : [{ path: "(document)", message: error.message }] });
    },
  };
  const save = useMutation(trpc.policies.saveDraft.mutationOptions(callbacks));
  const publish = useMutation(trpc.policies.publish.mutationOptions(callbacks));
  const busy = save.isPending || publish.isPending;

  return (
    <div className="space-y-6">
      <section aria-labelledby="editor-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="editor-heading" className="text-base font-semibold text-slate-900">
            Draft
          </h2>
          <div className="flex gap-2">
            <button
              type="button"
              disabled={busy}
              onClick={() => save.mutate({ policyId: policyId ?? undefined, source })}
              className={secondaryButton}
            >
              {save.isPending ? "Saving…" : "Save draft"}
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => publish.mutate({ policyId: policyId ?? undefined, source })}
              className={primaryButton}
            >
              {publish.isPending ? "Publishing…" : "Publish"}
            </button>
          </div>
        </div>
        <div className="mt-3 grid gap-4 lg:grid-cols-[minmax(0,1fr)_18rem]">
          <CodeEditor value={source} onChange={setSource} errors={shown} label="Policy YAML" />
          <RulesForm source={source} onApply={setSource} />
        </div>
        {shown.length > 0 ? (
          <div role="alert" className="mt-3 rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800">
            <p className="font-medium">{serverErrors.length > 0 ? refusal!.message : "Fix these before saving"}</p>
            <ul className="mt-1 space-y-0.5" aria-label="Problems">
              {shown.map((error, index) => (
                <li key={index}>
                  <span className="font-mono text-xs">{error.located ? `line ${error.line}` : "elsewhere"}</span>{" "}
                  {/* Syntax errors are named by their position already. */}
                  {!error.path.startsWith("line ") && <code className="text-xs">{error.path}</code>} {error.message}
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <p className="mt-3 text-xs text-emerald-700" role="status">
            Valid policy document.
          </p>
        )}
        {written && (
          <div role="status" className="mt-3 text-sm text-emerald-700">
            {written.snapshotVersion === null
              ? `Saved draft v${written.version}. Workers keep enforcing the published version.`
              : `Published v${written.version} in ${written.mode} mode as snapshot ${written.snapshotVersion}: workers apply it within a second.`}
            {written.warnings.length > 0 && (
              <ul className="mt-1 list-disc pl-5 text-amber-800">
                {written.warnings.map((warning, index) => (
                  <li key={index}>
                    <code className="text-xs">{warning.path}</code> {warning.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </section>
      <div className="grid gap-6 xl:grid-cols-2">
        <SimulatePanel source={source} />
        <ReplayPanel source={source} />
      </div>
    </div>
  );
}
