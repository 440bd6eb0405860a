"use client";

import type { ReactNode } from "react";
import { ActionError } from "@/components/factors/action-error";
import { SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";

type Props = {
  id: string;
  /** Called once the dialog has closed (Cancel, Escape, or done). */
  onClose: () => void;
  title: string;
  children: ReactNode;
  action: (formData: FormData) => void;
  fields: Record<string, string>;
  confirmLabel: string;
  pendingText: string;
  error?: string;
  stepUp?: boolean;
  setUpFactor?: boolean;
  /** Where "Confirm it's you" comes back to. */
  stepUpNext: string;
};

/**
 * A modal confirmation for one destructive member action, opened as it mounts: focus stays
 * inside, Escape or Cancel closes it, and the action's error (with the way to confirm it's
 * you) shows in it. Rendered only while open, so a page of members carries no hidden dialogs.
 */
export function MembersConfirmDialog({ id, onClose, title, children, action, fields, confirmLabel, pendingText, error, stepUp, setUpFactor, stepUpNext }: Props) {
  return (
    <dialog
      ref={(dialog) => {
        if (dialog && !dialog.open) dialog.showModal();
      }}
      onClose={onClose}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-0 text-left whitespace-normal shadow-xl backdrop:bg-slate-900/40"
    >
      <form action={action}>
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <div className="px-5 py-4">
          <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          <div id={`${id}-body`} className="mt-2 space-y-2 text-sm text-slate-700">
            {children}
          </div>
          <ActionError error={error} stepUp={stepUp} setUpFactor={setUpFactor} next={stepUpNext} />
        </div>
        <div className="flex flex-wrap justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3">
          <button type="button" className={buttonClass("secondary")} onClick={(event) => event.currentTarget.closest("dialog")?.close()}>
            Cancel
          </button>
          <SubmitButton variant="danger" pendingText={pendingText}>
            {confirmLabel}
          </SubmitButton>
        </div>
      </form>
    </dialog>
  );
}
