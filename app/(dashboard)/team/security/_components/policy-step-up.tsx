"use client";

import { StepUpDialog, type StepUpDialogProps } from "@/components/teams/step-up-dialog";

export type { StepUpMethods } from "@/components/teams/step-up-dialog";

/** "Confirm it's you" over the policy form; the policy is saved with the edits as they were. */
export function PolicyStepUp(props: StepUpDialogProps) {
  return (
    <StepUpDialog id="policy-step-up" next="/team/security" {...props}>
      Changing the team&apos;s policy needs your second factor again. It stays confirmed for 10 minutes, and the policy is saved as soon as it&apos;s accepted.
    </StepUpDialog>
  );
}
