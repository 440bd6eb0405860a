import { RichText } from "./rich-text";

export type ErrorRow = { status: number; code: string; when: string };

/** Status, code and when it happens: three columns on a wide screen, status and code above the text on a phone. */
export function ErrorList({ rows, label }: { rows: ErrorRow[]; label: string }) {
  return (
    <dl aria-label={label} className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white text-sm">
      {rows.map(({ status, code, when }) => (
        <div key={code} className="grid gap-1 px-3 py-2 sm:grid-cols-[2.5rem_13rem_minmax(0,1fr)] sm:gap-3">
          <dt className="flex gap-3 sm:contents">
            <span className="font-mono text-slate-600">{status}</span>
            <span className="font-mono font-medium break-all text-slate-900">{code}</span>
          </dt>
          <dd className="text-slate-700">
            <RichText text={when} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
