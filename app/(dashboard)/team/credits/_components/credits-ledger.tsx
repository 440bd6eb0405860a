import Link from "next/link";
import { CursorPager } from "@/components/ui/cursor-pager";
import { formatTime } from "@/lib/format/time";
import type { LedgerEntry } from "@/lib/teams/credits";

type Props = {
  entries: LedgerEntry[];
  olderHref: string | null;
  newerHref: string | null;
  /** A page past the first: an empty one then means its rows were since removed, not that there are none. */
  paged: boolean;
};

function reasonOf(entry: LedgerEntry): string {
  if (entry.reason === "sms") return "SMS code";
  if (entry.reason === "voice") return "Voice call";
  if (entry.reason === "top_up") return `Top-up by ${entry.actorName || entry.actorEmail || "a former member"}`;
  return entry.reason;
}

const signed = (delta: number) => (delta > 0 ? `+${delta.toLocaleString("en-US")}` : `−${Math.abs(delta).toLocaleString("en-US")}`);

/** The credit ledger, newest first: every debit and top-up with the balance it left. */
export function CreditsLedger({ entries, olderHref, newerHref, paged }: Props) {
  if (entries.length === 0) {
    return paged ? (
      <p className="py-6 text-center text-sm text-slate-600">
        Nothing on this page any more.{" "}
        <Link href="/team/credits" className="font-medium text-indigo-700 hover:underline">
          Back to the newest entries
        </Link>
      </p>
    ) : (
      <p className="py-6 text-center text-sm text-slate-600">No credits used or added yet. Every SMS code, voice call and top-up appears here.</p>
    );
  }
  return (
    <div className="space-y-3">
      {/* relative: the sr-only spans are absolutely positioned and would otherwise widen the page. */}
      <div className="relative -mx-5 hidden overflow-x-auto px-5 md:block">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className="py-2 pr-4 font-medium">
                When
              </th>
              <th scope="col" className="py-2 pr-4 text-right font-medium">
                Change
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Reason
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Message
              </th>
              <th scope="col" className="py-2 text-right font-medium">
                Balance
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.map((entry) => (
              <tr key={entry.id} data-testid="ledger-row">
                <td className="py-2 pr-4 whitespace-nowrap text-slate-600">
                  <time dateTime={entry.createdAt.toISOString()}>{formatTime(entry.createdAt)}</time>
                </td>
                <td className={`py-2 pr-4 text-right font-medium whitespace-nowrap tabular-nums ${entry.delta > 0 ? "text-emerald-700" : "text-slate-800"}`}>
                  <span className="sr-only">{entry.delta > 0 ? "Added " : "Spent "}</span>
                  {signed(entry.delta)}
                </td>
                <td className="py-2 pr-4 text-slate-800">{reasonOf(entry)}</td>
                <td className="py-2 pr-4 font-mono text-xs text-slate-600">
                  {entry.messageId ? (
                    <span title={entry.messageId}>
                      {entry.messageId.slice(0, 8)}
                      <span className="sr-only"> (message {entry.messageId})</span>
                    </span>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="py-2 text-right tabular-nums text-slate-800">{entry.balanceAfter.toLocaleString("en-US")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <ul className="divide-y divide-slate-100 md:hidden" aria-label="Ledger entries">
        {entries.map((entry) => (
          <li key={entry.id} className="flex items-start justify-between gap-4 py-2.5 text-sm">
            <div className="min-w-0">
              <p className="text-slate-800">{reasonOf(entry)}</p>
              <p className="text-xs text-slate-600">
                <time dateTime={entry.createdAt.toISOString()}>{formatTime(entry.createdAt)}</time>
                {entry.messageId && <span className="font-mono"> · {entry.messageId.slice(0, 8)}</span>}
              </p>
            </div>
            <div className="shrink-0 text-right">
              <p className={`font-medium tabular-nums ${entry.delta > 0 ? "text-emerald-700" : "text-slate-800"}`}>{signed(entry.delta)}</p>
              <p className="text-xs text-slate-600 tabular-nums">Balance {entry.balanceAfter.toLocaleString("en-US")}</p>
            </div>
          </li>
        ))}
      </ul>

      <CursorPager label="Ledger pages" newerHref={newerHref} olderHref={olderHref} />
    </div>
  );
}
