"use client";

import type { RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { StatusBadge } from "@/components/badge";
import { formatMoney } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type StoryEvent = RouterOutputs["sessions"]["story"]["events"][number];

/** One line of the story: what happened, in words a post-mortem can quote. */
function describe(event: StoryEvent): ReactNode {
  switch (event.kind) {
    case "decision":
      return (
        <>
          <StatusBadge status={event.outcome} /> <code className="font-mono text-xs">{event.action}</code>
          {event.amount && <> for {formatMoney(event.amount)}</>}
          {event.merchant && <> at {event.merchant}</>}
          {event.onBehalfOf && <span className="text-slate-500"> (acting for a delegator)</span>}
          {event.reasons.map((reason) => (
            <div key={reason.code} className="mt-0.5 text-xs text-slate-500">
              <code className="font-mono">{reason.code}</code>: {reason.message}
              {reason.rule && <> — rule {reason.rule}</>}
            </div>
          ))}
        </>
      );
    case "hold":
      return <>Held {formatMoney(event.amount)}</>;
    case "settled":
      return event.status === "committed" ? <>Committed {formatMoney(event.amount)}</> : <>Hold of {formatMoney(event.amount)} {event.status}</>;
    case "approval_requested":
      return event.amount === null ? <>Asked a reviewer to approve the call</> : <>Asked a reviewer to approve {formatMoney(event.amount)}</>;
    case "approval_decided":
      return (
        <>
          Approval <StatusBadge status={event.status} />
          {event.decidedBy && <> by {event.decidedBy}</>}
          {event.note && <span className="text-slate-500"> — “{event.note}”</span>}
        </>
      );
    case "tripped":
      return (
        <>
          <StatusBadge status="tripped" /> Circuit breaker tripped: {event.reason}
        </>
      );
  }
}

const time = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone }).format(new Date(iso));

/** A session's whole story on one page: decisions, holds, commits, approvals and trips in time order. */
export function SessionStory({ id }: { id: string }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.sessions.story.queryOptions({ id }));
  const { session, events, truncated } = data;
  return (
    <>
      <Link href="/sessions" className="text-sm text-slate-500 hover:text-slate-700">
        ← Sessions
      </Link>
      <div className="mb-2 mt-2 flex items-center gap-3">
        <h1 className="font-mono text-xl font-semibold text-slate-900">{session.externalId}</h1>
        <StatusBadge status={session.status} />
      </div>
      <p className="mb-6 text-sm text-slate-500">
        Agent{" "}
        <Link href={`/agents/${session.agent.id}`} className="font-medium text-slate-700 hover:text-indigo-600">
          {session.agent.name}
        </Link>{" "}
        · {events.filter((event) => event.kind === "decision").length} decisions
      </p>
      {events.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-500">This session has no calls yet.</p>
      ) : (
        <ol aria-label="Session story" className="rounded-xl border border-slate-200 bg-white shadow-sm">
          {events.map((event, index) => (
            <li key={index} className="flex gap-4 border-b border-slate-100 px-5 py-2.5 text-sm last:border-b-0">
              <time className="w-20 shrink-0 font-mono text-xs tabular-nums text-slate-500" dateTime={event.at}>
                {time(event.at, timeZone)}
              </time>
              <div className="text-slate-800">{describe(event)}</div>
            </li>
          ))}
        </ol>
      )}
      {truncated && <p className="mt-3 text-xs text-slate-500">Showing the first 500 decisions of this session.</p>}
    </>
  );
}
