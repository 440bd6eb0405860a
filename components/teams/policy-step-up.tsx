"use client";

import type { RefObject } from "react";
import { StepUpPrompt } from "@/components/factors/step-up-prompt";
import { buttonClass } from "@/components/ui/button-class";
import type { PromptMethod } from "@/lib/factors/prompt-types";

export type StepUpMethods = { methods: PromptMethod[]; recoveryCodesLeft: number };

type Props = {
  dialogRef: RefObject<HTMLDialogElement | null>;
  /** The prompt is mounted only while asking, so each time starts from the default method. */
  open: boolean;
  onClose: () => void;
  onVerified: () => void;
  stepUp: StepUpMethods;
};

/**
 * "Confirm it's you" over the policy form: saving a team's policy needs a fresh second factor,
 * and going to another page for it would lose every edit. Once the factor is accepted the form
 * saves what was edited, as it was when Save was pressed.
 */
export function PolicyStepUp({ dialogRef, open, onClose, onVerified, stepUp }: Props) {
  return (
    <dialog
      ref={dialogRef}
      onClose={onClose}
      aria-labelledby="policy-step-up-title"
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="px-5 py-4">
        <h2 id="policy-step-up-title" className="text-base font-semibold text-slate-900">
          Confirm it&apos;s you
        </h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">
          Changing the team&apos;s policy needs your second factor again. It stays confirmed for 10 minutes, and the policy is saved as soon as it&apos;s
          accepted.
        </p>
        {open && <StepUpPrompt methods={stepUp.methods} recoveryCodesLeft={stepUp.recoveryCodesLeft} next="/team/security" onVerified={onVerified} />}
      </div>
      <div className="flex justify-end border-t border-slate-100 bg-slate-50 px-5 py-3">
        <button type="button" className={buttonClass("secondary")} onClick={() => dialogRef.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
