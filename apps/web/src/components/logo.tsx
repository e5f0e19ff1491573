/** The Tollgate mark: a barrier arm across a lane. */
export function Logo({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight ${className}`}>
      <svg viewBox="0 0 24 24" className="size-7" aria-hidden="true">
        <rect width="24" height="24" rx="6" className="fill-indigo-500" />
        <rect x="5" y="7" width="3" height="12" rx="1" className="fill-white" />
        <path d="M8 10.5h11" stroke="white" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      Tollgate
    </span>
  );
}
