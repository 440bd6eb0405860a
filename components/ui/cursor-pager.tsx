import Link from "next/link";

/** "← Newer · Older →" links of a keyset-paginated list; renders nothing on a single page. */
export function CursorPager({ label, newerHref, olderHref }: { label: string; newerHref?: string | null; olderHref?: string | null }) {
  if (!newerHref && !olderHref) return null;
  const link = "font-medium text-indigo-700 hover:underline";
  return (
    <nav aria-label={label} className="flex items-center justify-between border-t border-slate-100 pt-3 text-sm">
      {newerHref ? (
        <Link href={newerHref} className={link}>
          ← Newer
        </Link>
      ) : (
        <span />
      )}
      {olderHref ? (
        <Link href={olderHref} className={link}>
          Older →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
