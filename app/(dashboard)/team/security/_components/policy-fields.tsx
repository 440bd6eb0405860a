import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

/** A field's error, with the id its input or fieldset names in aria-describedby. */
export function FieldError({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return (
    <p id={id} className="mt-2 text-sm text-red-700">
      {error}
    </p>
  );
}

/** The ids an input or group is described by: its hint, then its error when there is one. */
export const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

type ChoiceProps = Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & {
  type: "checkbox" | "radio";
  id: string;
  label: ReactNode;
  note?: ReactNode;
  icon?: ReactNode;
};

/** A checkbox or radio button with its label and, below it, a note read with it. */
export function Choice({ type, id, label, note, icon, className = "", ...input }: ChoiceProps) {
  return (
    <div className={`flex items-start gap-3 ${className}`}>
      <input
        {...input}
        type={type}
        id={id}
        aria-describedby={describedBy(note ? `${id}-note` : undefined, input["aria-describedby"])}
        className="mt-1 size-4 shrink-0 accent-indigo-600 disabled:cursor-not-allowed"
      />
      {icon}
      <div className="min-w-0">
        <label htmlFor={id} className={`block text-sm font-medium ${input.disabled ? "text-slate-500" : "text-slate-900"}`}>
          {label}
        </label>
        {note && (
          <p id={`${id}-note`} className="text-sm text-slate-600">
            {note}
          </p>
        )}
      </div>
    </div>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { id: string; label: string; hint?: ReactNode; error?: string; children: ReactNode };

/** A labelled select whose hint and error are tied to it with aria-describedby. */
export function SelectField({ id, label, hint, error, children, ...select }: SelectProps) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        {...select}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(hint ? `${id}-hint` : undefined, error && `${id}-error`)}
        className={`mt-1 block w-full max-w-sm rounded-md border bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none disabled:bg-slate-100 ${
          error ? "border-red-500" : "border-slate-300"
        }`}
      >
        {children}
      </select>
      {hint && (
        <div id={`${id}-hint`} className="mt-1 space-y-1 text-xs text-slate-600">
          {hint}
        </div>
      )}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
