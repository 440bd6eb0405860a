import Link from "next/link";
import { CursorPager } from "@/components/ui/cursor-pager";
import { ResponsiveTable, type Column } from "@/components/ui/responsive-table";
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

const deltaColour = (entry: LedgerEntry) => (entry.delta > 0 ? "text-emerald-700" : "text-slate-800");

const COLUMNS: Column<LedgerEntry>[] = [
  {
    header: "When",
    className: "py-2 pr-4 whitespace-nowrap text-slate-600",
    cell: (entry) => <time dateTime={entry.createdAt.toISOString()}>{formatTime(entry.createdAt)}</time>,
  },
  {
    header: "Change",
    align: "right",
    className: (entry) => `py-2 pr-4 text-right font-medium whitespace-nowrap tabular-nums ${deltaColour(entry)}`,
    cell: (entry) => (
      <>
        <span className="sr-only">{entry.delta > 0 ? "Added " : "Spent "}</span>
        {signed(entry.delta)}
      </>
    ),
  },
  { header: "Reason", className: "py-2 pr-4 text-slate-800", cell: reasonOf },
  {
    header: "Message",
    className: "py-2 pr-4 font-mono text-xs text-slate-600",
    cell: (entry) =>
      entry.messageId ? (
        <span title={entry.messageId}>
          {entry.messageId.slice(0, 8)}
          <span className="sr-only"> (message {entry.messageId})</span>
        </span>
      ) : (
        "—"
      ),
  },
  { header: "Balance", align: "right", className: "py-2 text-right tabular-nums text-slate-800", cell: (entry) => entry.balanceAfter.toLocaleString("en-US") },
];

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
      <ResponsiveTable
        rows={entries}
        rowKey={(entry) => entry.id}
        columns={COLUMNS}
        rowTestId="ledger-row"
        label="Ledger entries"
        cardClassName="flex items-start justify-between gap-4 py-2.5 text-sm"
        card={(entry) => (
          <>
            <div className="min-w-0">
              <p className="text-slate-800">{reasonOf(entry)}</p>
              <p className="text-xs text-slate-600">
                <time dateTime={entry.createdAt.toISOString()}>{formatTime(entry.createdAt)}</time>
                {entry.messageId && <span className="font-mono"> · {entry.messageId.slice(0, 8)}</span>}
              </p>
            </div>
            <div className="shrink-0 text-right">
              <p className={`font-medium tabular-nums ${deltaColour(entry)}`}>{signed(entry.delta)}</p>
              <p className="text-xs text-slate-600 tabular-nums">Balance {entry.balanceAfter.toLocaleString("en-US")}</p>
            </div>
          </>
        )}
      />

      <CursorPager label="Ledger pages" newerHref={newerHref} olderHref={olderHref} />
    </div>
  );
}
