import { formatTime } from "@/lib/format/time";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 days ago", "last week", "just now". */
export function relativeTime(date: Date, now: Date): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

/** A relative time with the exact one on hover and for machines; "Never" when there is none. */
export function MembersTime({ date, now }: { date: Date | null; now: Date }) {
  if (!date) return <span className="text-slate-500">Never</span>;
  return (
    <time dateTime={date.toISOString()} title={formatTime(date)} className="whitespace-nowrap">
      {relativeTime(date, now)}
    </time>
  );
}
