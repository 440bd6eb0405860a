import Link from "next/link";

/** `compact` hides the wordmark on narrow screens (the icon stays, labelled). */
export function Logo({ href = "/", compact = false }: { href?: string; compact?: boolean }) {
  return (
    <Link href={href} className="inline-flex items-center gap-2 font-semibold tracking-tight text-slate-900">
      <svg viewBox="0 0 24 24" className="size-6 text-indigo-600" aria-hidden="true" fill="currentColor">
        <rect x="3" y="3" width="8" height="8" rx="1.5" />
        <rect x="13" y="3" width="8" height="8" rx="1.5" opacity="0.6" />
        <rect x="3" y="13" width="8" height="8" rx="1.5" opacity="0.6" />
        <rect x="13" y="13" width="8" height="8" rx="1.5" />
      </svg>
      <span className={compact ? "sr-only sm:not-sr-only" : undefined}>Tessera</span>
    </Link>
  );
}
