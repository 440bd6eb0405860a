const formatter = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** A fixed, unambiguous time for security lists: "Nov 23, 2026, 1:05 PM UTC". */
export function formatTime(date: Date): string {
  return `${formatter.format(date)} UTC`;
}
