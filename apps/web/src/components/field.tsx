import { primaryButton, smallButton } from "./button-styles";
import type { ReactNode } from "react";

/** A form's input style: a red border once the server named a problem with it. */
export const inputClass = "w-56 rounded border border-slate-300 px-2 py-1 aria-invalid:border-rose-500";

/** A labelled form control with the server's problems with it, if any, below. */
export function Field({ id, label, problems, children }: { id: string; label: string; problems: string[] | undefined; children: ReactNode }) {
  return (
    <div className="flex flex-col">
      <label htmlFor={id} className="text-xs font-medium text-slate-600">
        {label}
      </label>
      {children}
      {problems && (
        <span role="alert" className="mt-0.5 text-xs text-rose-700">
          {problems.join("; ")}
        </span>
      )}
    </div>
  );
}

/** A form's submit and cancel buttons; the submit one says what it is doing while `pending`. */
export function FormButtons({ label, pendingLabel, pending, onCancel }: { label: string; pendingLabel: string; pending: boolean; onCancel: () => void }) {
  return (
    <div className="mt-4 flex gap-2">
      <button type="submit" disabled={pending} className={primaryButton}>
        {pending ? pendingLabel : label}
      </button>
      <button type="button" onClick={onCancel} className={smallButton}>
        Cancel
      </button>
    </div>
  );
}
