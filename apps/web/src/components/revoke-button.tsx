"use client";

import { useState } from "react";
import { dangerButton, smallButton } from "./button-styles";

/** A revoke that takes a second click, since what is revoked (a key, a token) cannot be restored. */
export function RevokeButton({ onRevoke, pending, error }: { onRevoke: () => void; pending: boolean; error: string | undefined }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <div>
      {confirming ? (
        <span className="flex gap-1">
          <button type="button" className={dangerButton} disabled={pending} onClick={onRevoke}>
            {pending ? "Revoking…" : "Revoke for good"}
          </button>
          <button type="button" className={smallButton} onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" className={smallButton} onClick={() => setConfirming(true)}>
          Revoke
        </button>
      )}
      {error && <div className="mt-0.5 text-xs text-rose-700">{error}</div>}
    </div>
  );
}
