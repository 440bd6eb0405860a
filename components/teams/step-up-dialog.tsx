"use client";

import type { ReactNode, RefObject } from "react";
import { StepUpPrompt } from "@/components/factors/step-up-prompt";
import { buttonClass } from "@/components/ui/button-class";
import type { PromptMethod } from "@/lib/factors/prompt-types";

export type StepUpMethods = { methods: PromptMethod[]; recoveryCodesLeft: number };

export type StepUpDialogProps = {
  dialogRef: RefObject<HTMLDialogElement | null>;
  /** The prompt is mounted only while asking, so each time starts from the default method. */
  open: boolean;
  onClose: () => void;
  onVerified: () => void;
  stepUp: StepUpMethods;
};

type Props = StepUpDialogProps & {
  /** Unique on the page: the dialog's title is named by it. */
  id: string;
  /** Why the factor is asked for, and that the change goes through once it is accepted. */
  children: ReactNode;
  /** Where the prompt sends the person if the sign-in must start over. */
  next: string;
};

/**
 * "Confirm it's you" over a form: a team-wide change needs a fresh second factor, and going
 * to another page for it would lose the edits. Once the factor is accepted the caller makes
 * the change it was asked for, as it was when the button was pressed.
 */
export function StepUpDialog({ id, children, next, dialogRef, open, onClose, onVerified, stepUp }: Props) {
  return (
    <dialog
      ref={dialogRef}
      onClose={onClose}
      aria-labelledby={`${id}-title`}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="px-5 py-4">
        <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
          Confirm it&apos;s you
        </h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">{children}</p>
        {open && <StepUpPrompt methods={stepUp.methods} recoveryCodesLeft={stepUp.recoveryCodesLeft} next={next} onVerified={onVerified} />}
      </div>
      <div className="flex justify-end border-t border-slate-100 bg-slate-50 px-5 py-3">
        <button type="button" className={buttonClass("secondary")} onClick={() => dialogRef.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
