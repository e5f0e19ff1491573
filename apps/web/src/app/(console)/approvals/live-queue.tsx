"use client";

import type { RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { Badge } from "@/components/badge";
import { EmptyState, TableFrame } from "@/components/data-table";
import { formatMoney, parseMoney } from "@/components/format";
import { useTRPC } from "@/trpc/react";
import { TimeLeft } from "./time-left";

type Queue = RouterOutputs["approvals"]["queue"];
type QueuedApproval = Queue["items"][number];
type Verdict = "approve" | "deny";

/**
 * What the reviewer typed for one request: a note, optionally a lower cap, and optionally a
 * standing grant of more for the session (amounts in major units, as people write them).
 */
type Draft = { note: string; cap: string; grantAmount: string; grantMinutes: string };
const emptyDraft: Draft = { note: "", cap: "", grantAmount: "", grantMinutes: "60" };

/** The outcome of the last answer, shown above the queue since its row may be gone by then. */
type Feedback = { tone: "done" | "refused"; approvalId: string; message: string; fieldErrors?: Record<string, string[]> };

const SHORTCUTS = [
  ["j / k", "next / previous"],
  ["a", "approve"],
  ["d", "deny"],
  ["n", "write a note"],
] as const;

const FIELD_LABELS: Record<string, string> = { approvedAmount: "Approve up to", grant: "Allow more in this session" };

const typing = (target: EventTarget | null) => target instanceof HTMLElement && target.closest("input, textarea, select") !== null;

/**
 * The reviewer's live queue: pending requests arrive and leave without a reload (a tRPC
 * subscription over server-sent events, fed by the database's NOTIFY), each with what a decision
 * needs and the time it has left. Keyboard: j/k move, a approves, d denies, n writes a note.
 */
export function LiveQueue() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: queue } = useSuspenseQuery(trpc.approvals.queue.queryOptions());
  const [skewMs, setSkewMs] = useState(0);
  const live = useSubscription(
    trpc.approvals.live.subscriptionOptions(undefined, {
      onData: (next) => {
        queryClient.setQueryData(trpc.approvals.queue.queryKey(), next);
        setSkewMs(new Date(next.serverTime).getTime() - Date.now());
        // A request that left the queue shows up in the history and latency lists below.
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.approvals.recent.queryKey() });
      },
    }),
  );

  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const selected = queue.items.find((item) => item.id === selectedId) ?? queue.items[0] ?? null;

  const decide = useMutation(
    trpc.approvals.decide.mutationOptions({
      onSuccess: (decided, input) => {
        const message =
          decided.status === "pending"
            ? `Your approval is recorded (${decided.approvals.given} of ${decided.approvals.required}); it needs another reviewer.`
            : `${decided.status === "approved" ? "Approved" : "Denied"}.`;
        setFeedback({ tone: "done", approvalId: input.id, message });
      },
      onError: (error, input) => setFeedback({ tone: "refused", approvalId: input.id, message: error.message, fieldErrors: error.data?.fieldErrors ?? undefined }),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.approvals.queue.queryKey() }),
    }),
  );

  function answer(approval: QueuedApproval, verdict: Verdict) {
    const draft = drafts[approval.id] ?? emptyDraft;
    // A call that names no money offers no amounts to fill in (see QueueRow).
    const currency = approval.amount?.currency ?? "";
    const refuse = (fieldErrors: Record<string, string[]>) => setFeedback({ tone: "refused", approvalId: approval.id, message: "Check the amounts.", fieldErrors });
    const input: Parameters<typeof decide.mutate>[0] = { id: approval.id, verdict, ...(draft.note.trim() ? { note: draft.note } : {}) };
    if (verdict === "approve" && draft.cap.trim() !== "") {
      const cap = parseMoney(draft.cap, currency);
      if (cap === null) return refuse({ approvedAmount: [`must be an amount like 120.50 ${currency}`] });
      input.approvedAmount = cap;
    }
    if (verdict === "approve" && draft.grantAmount.trim() !== "") {
      const amount = parseMoney(draft.grantAmount, currency);
      const validForMinutes = Number(draft.grantMinutes);
      if (amount === null) return refuse({ grant: [`the amount must be like 50.00 ${currency}`] });
      // Whole minutes go to the server, which checks the range and names it.
      input.grant = { amount, validForMinutes: Number.isInteger(validForMinutes) ? validForMinutes : 0 };
    }
    decide.mutate(input);
  }

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (typing(event.target)) {
        // Escape leaves a field, so the shortcuts work again.
        if (event.key === "Escape" && event.target instanceof HTMLElement) event.target.blur();
        return;
      }
      if (event.metaKey || event.ctrlKey || event.altKey || !selected) return;
      const index = queue.items.indexOf(selected);
      const move = (by: number) => setSelectedId(queue.items[Math.min(Math.max(index + by, 0), queue.items.length - 1)]!.id);
      const actions: Record<string, () => void> = {
        j: () => move(1),
        ArrowDown: () => move(1),
        k: () => move(-1),
        ArrowUp: () => move(-1),
        a: () => answer(selected, "approve"),
        d: () => answer(selected, "deny"),
        n: () => document.getElementById(`note-${selected.id}`)?.focus(),
      };
      const action = actions[event.key];
      if (!action || decide.isPending) return;
      event.preventDefault();
      action();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const setDraft = (id: string, change: Partial<Draft>) => setDrafts((all) => ({ ...all, [id]: { ...(all[id] ?? emptyDraft), ...change } }));

  return (
    <section aria-labelledby="queue-heading" className="mb-8">
      <div className="mb-2 flex items-center justify-between gap-4">
        <h2 id="queue-heading" className="text-base font-semibold text-slate-900">
          Waiting for a decision <span className="text-slate-400">({queue.items.length})</span>
        </h2>
        <div className="flex items-center gap-4 text-xs text-slate-500">
          <span aria-label="Keyboard shortcuts">
            {SHORTCUTS.map(([keys, what]) => (
              <span key={keys} className="ml-3">
                <kbd className="rounded border border-slate-300 bg-white px-1 font-mono">{keys}</kbd> {what}
              </span>
            ))}
          </span>
          <span role="status" data-testid="queue-connection">
            {live.status === "pending" ? <Badge tone="good">Live</Badge> : live.status === "error" ? <Badge tone="bad">Reconnecting…</Badge> : <Badge>Connecting…</Badge>}
          </span>
        </div>
      </div>
      {feedback && (
        <div role={feedback.tone === "refused" ? "alert" : "status"} data-testid="queue-answer" className={`mb-2 rounded-md px-3 py-2 text-sm ${feedback.tone === "refused" ? "bg-rose-50 text-rose-800" : "bg-emerald-50 text-emerald-800"}`}>
          {feedback.message}
          {feedback.fieldErrors &&
            Object.entries(feedback.fieldErrors).map(([field, problems]) => (
              <span key={field}>
                {" "}
                {FIELD_LABELS[field] ?? field}: {problems.join("; ")}
              </span>
            ))}
        </div>
      )}
      {queue.items.length === 0 ? (
        <EmptyState
          title="Nothing waits for a decision"
          description="Requests above a policy's threshold appear here the moment an agent asks; keep this page open."
        />
      ) : (
        <TableFrame label="Approval queue" headers={["Agent", "Request", "Amount", "Session", "Time left", "Decide"]}>
          {queue.items.map((approval) => (
            <QueueRow
              key={approval.id}
              approval={approval}
              selected={approval.id === selected?.id}
              onSelect={() => setSelectedId(approval.id)}
              draft={drafts[approval.id] ?? emptyDraft}
              onDraft={(change) => setDraft(approval.id, change)}
              onAnswer={(verdict) => answer(approval, verdict)}
              busy={decide.isPending}
              capError={feedback?.approvalId === approval.id ? feedback.fieldErrors?.approvedAmount?.join("; ") : undefined}
              ownerMayApprove={queue.ownerMayApprove}
              skewMs={skewMs}
            />
          ))}
        </TableFrame>
      )}
    </section>
  );
}

function QueueRow({
  approval,
  selected,
  onSelect,
  draft,
  onDraft,
  onAnswer,
  busy,
  capError,
  ownerMayApprove,
  skewMs,
}: {
  approval: QueuedApproval;
  selected: boolean;
  onSelect: () => void;
  draft: Draft;
  onDraft: (change: Partial<Draft>) => void;
  onAnswer: (verdict: Verdict) => void;
  busy: boolean;
  capError: string | undefined;
  ownerMayApprove: boolean;
  skewMs: number;
}) {
  const { agent, owner } = approval;
  const mayApprove = !approval.votedByMe && (ownerMayApprove || !approval.ownedByMe);
  return (
    <tr aria-selected={selected} onClick={onSelect} className={`align-top ${selected ? "bg-indigo-50/70 outline-2 -outline-offset-2 outline-indigo-400" : "hover:bg-slate-50/70"}`}>
      <td className="px-4 py-3">
        <div className="font-medium text-slate-900">{agent.name}</div>
        <div className="text-xs text-slate-500">
          owned by {owner.name}
          {approval.ownedByMe && " (you)"}
        </div>
        <div className="mt-1 text-xs">trust {agent.trustScore === null ? <span className="text-slate-400">not scored</span> : <span className="font-medium tabular-nums">{agent.trustScore}</span>}</div>
      </td>
      <td className="px-4 py-3">
        <code className="font-mono text-xs">{approval.action}</code>
        {approval.merchant && <div className="text-xs text-slate-500">at {approval.merchant}</div>}
        <ul className="mt-1 space-y-0.5 text-xs text-amber-800">
          {approval.reasons.map((reason) => (
            <li key={`${reason.code}-${reason.rule ?? ""}`} title={reason.rule ?? undefined}>
              {reason.message}
            </li>
          ))}
        </ul>
      </td>
      <td className="whitespace-nowrap px-4 py-3 text-right tabular-nums">
        {approval.amount === null ? <div className="text-slate-400">no amount</div> : <div className="font-medium text-slate-900">{formatMoney(approval.amount)}</div>}
        {approval.approvals.required > 1 && (
          <div className="text-xs text-slate-500">
            {approval.approvals.given} of {approval.approvals.required} approvals
          </div>
        )}
      </td>
      <td className="px-4 py-3 text-xs">
        {approval.session ? (
          <Link href={`/sessions/${approval.session.id}`} className="font-mono text-indigo-700 hover:underline">
            {approval.session.externalId}
          </Link>
        ) : (
          <span className="text-slate-400">no session</span>
        )}
      </td>
      <td className="whitespace-nowrap px-4 py-3">
        <TimeLeft expiresAt={approval.expiresAt} skewMs={skewMs} />
      </td>
      <td className="px-4 py-3">
        <div className="flex flex-wrap items-center gap-1.5">
          <input
            id={`note-${approval.id}`}
            aria-label={`Note for ${agent.name}'s request`}
            className="w-36 rounded border border-slate-300 px-2 py-0.5 text-xs"
            placeholder="Note (optional)"
            value={draft.note}
            onChange={(event) => onDraft({ note: event.target.value })}
          />
          {approval.amount !== null && (
            <input
              aria-label={`Approve up to (${approval.amount.currency})`}
              aria-invalid={capError !== undefined}
              aria-describedby={capError ? `cap-error-${approval.id}` : undefined}
              inputMode="decimal"
              className="w-24 rounded border border-slate-300 px-2 py-0.5 text-xs tabular-nums aria-invalid:border-rose-500"
              placeholder={`up to ${formatMoney(approval.amount)}`}
              value={draft.cap}
              disabled={!mayApprove}
              onChange={(event) => onDraft({ cap: event.target.value })}
            />
          )}
          <button
            type="button"
            disabled={busy || !mayApprove}
            title={approval.votedByMe ? "You already approved; it needs another reviewer" : !mayApprove ? "You own this agent: another reviewer must approve its spend" : "Approve (a)"}
            onClick={() => onAnswer("approve")}
            className="rounded bg-emerald-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-emerald-500 disabled:opacity-50"
          >
            Approve
          </button>
          <button
            type="button"
            disabled={busy}
            title="Deny (d)"
            onClick={() => onAnswer("deny")}
            className="rounded bg-rose-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-rose-500 disabled:opacity-50"
          >
            Deny
          </button>
        </div>
        {approval.session && approval.amount !== null && (
          <div className="mt-1.5 flex items-center gap-1 text-xs text-slate-600">
            <label htmlFor={`grant-${approval.id}`}>and allow up to</label>
            <input
              id={`grant-${approval.id}`}
              inputMode="decimal"
              className="w-20 rounded border border-slate-300 px-1.5 py-0.5 tabular-nums"
              placeholder={approval.amount.currency}
              value={draft.grantAmount}
              disabled={!mayApprove}
              onChange={(event) => onDraft({ grantAmount: event.target.value })}
            />
            <span>more in this session for</span>
            <input
              aria-label="Minutes the grant lasts"
              inputMode="numeric"
              className="w-12 rounded border border-slate-300 px-1.5 py-0.5 tabular-nums"
              value={draft.grantMinutes}
              disabled={!mayApprove}
              onChange={(event) => onDraft({ grantMinutes: event.target.value })}
            />
            <span>min</span>
          </div>
        )}
        {capError && (
          <div id={`cap-error-${approval.id}`} className="mt-1 text-xs text-rose-700">
            {capError}
          </div>
        )}
        {approval.ownedByMe && !ownerMayApprove && <div className="mt-1 text-xs text-slate-500">You own this agent: another reviewer must approve.</div>}
      </td>
    </tr>
  );
}
