"use client";

import { useState, type ReactNode } from "react";
import { smallButton } from "./button-styles";


/** A secret (an agent key, an API token) shown this once, with a copy button; dismissing it loses it for good. */
export function ShownOnce({ title, secret, onDismiss, children }: { title: string; secret: string; onDismiss: () => void; children?: ReactNode }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
      <p className="font-medium">{title}</p>
      <div className="mt-2 flex items-center gap-2">
        <code data-testid="shown-once" className="select-all break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900">
          {secret}
        </code>
        <button type="button" className={smallButton} onClick={() => navigator.clipboard.writeText(secret).then(() => setCopied(true))}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className={smallButton} onClick={onDismiss}>
          Done
        </button>
      </div>
      {children}
    </div>
  );
}
