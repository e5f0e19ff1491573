// The console's buttons, shared by its forms and tables.

/** A small secondary button, as in tables. */
export const smallButton = "rounded border border-slate-300 px-2 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50";
/** A small button for an action that cannot be taken back. */
export const dangerButton = "rounded border border-rose-300 px-2 py-0.5 text-xs font-medium text-rose-700 hover:bg-rose-50 disabled:opacity-50";
/** A form's submit button. */
export const primaryButton = "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50";
/** A form's secondary button, beside its submit button. */
export const secondaryButton = "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50";
