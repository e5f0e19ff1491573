import type { ReactNode } from "react";

const tones = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-500/20",
  good: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  warn: "bg-amber-50 text-amber-800 ring-amber-600/20",
  bad: "bg-rose-50 text-rose-700 ring-rose-600/20",
  info: "bg-indigo-50 text-indigo-700 ring-indigo-600/20",
} as const;

export type Tone = keyof typeof tones;

export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return (
    <span className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]}`}>{children}</span>
  );
}

/** A status word in the tone its meaning calls for. */
export function StatusBadge({ status }: { status: string }) {
  const tone: Tone =
    ({
      active: "good",
      approved: "good",
      allow: "good",
      open: "info",
      pending: "warn",
      shadow: "warn",
      draft: "neutral",
      expired: "neutral",
      archived: "neutral",
      suspended: "bad",
      revoked: "bad",
      denied: "bad",
      deny: "bad",
      tripped: "bad",
    } as Record<string, Tone>)[status] ?? "neutral";
  return <Badge tone={tone}>{status}</Badge>;
}
