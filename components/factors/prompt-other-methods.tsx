"use client";

/** "Use another method": the person's other enrolled kinds (and a recovery code), opened by the prompt when a method cannot work. */
export function OtherMethods<M extends string>({ others, open, onOpenChange, label, onChoose }: { others: M[]; open: boolean; onOpenChange: (open: boolean) => void; label: (other: M) => string; onChoose: (other: M) => void }) {
  return (
    <details open={open} onToggle={(e) => onOpenChange(e.currentTarget.open)} className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm">
      <summary className="cursor-pointer font-medium text-slate-800">Use another method</summary>
      <ul className="mt-2 space-y-1">
        {others.map((other) => (
          <li key={other}>
            <button type="button" className="text-indigo-700 hover:underline" onClick={() => onChoose(other)}>
              {label(other)}
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
