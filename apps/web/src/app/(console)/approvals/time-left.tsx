"use client";

import { useEffect, useState } from "react";

/** Milliseconds now on the server's clock, given how far the browser's runs from it. */
const serverNow = (skewMs: number) => Date.now() + skewMs;

function format(ms: number): string {
  const seconds = Math.ceil(ms / 1_000);
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

/** "4:59 left", counting down every second on the server's clock; "expiring" once the time is up. */
export function TimeLeft({ expiresAt, skewMs }: { expiresAt: string; skewMs: number }) {
  const deadline = new Date(expiresAt).getTime();
  // Null until mounted: the server's render and the browser's first one must show the same text.
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(serverNow(skewMs));
    tick();
    const timer = setInterval(tick, 1_000);
    return () => clearInterval(timer);
  }, [skewMs]);
  if (now === null) return <time dateTime={expiresAt} className="tabular-nums text-slate-400">–:–– left</time>;
  const left = deadline - now;
  // The worker expires it within a second or so and the live queue then drops it.
  if (left <= 0) return <span className="text-xs font-medium text-slate-500">expiring</span>;
  return (
    <time dateTime={expiresAt} className={`tabular-nums ${left < 60_000 ? "font-semibold text-rose-700" : "text-slate-700"}`}>
      {format(left)} left
    </time>
  );
}
