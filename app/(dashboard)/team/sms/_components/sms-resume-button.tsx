"use client";

import { useHydrated } from "@/components/auth/use-hydrated";
import { Button } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";
import { StepUpDialog, type StepUpMethods } from "@/components/teams/step-up-dialog";
import { TeamChangeError } from "@/components/teams/team-change-error";
import { useStepUpRetry } from "@/components/teams/use-step-up-retry";

type Props = { teamId: string; stepUp: StepUpMethods; resume: (prev: ActionState, formData: FormData) => Promise<ActionState> };

/** "Resume SMS and voice" in the pause banner, for owners: asks for the factor in place when the session is not fresh. */
export function SmsResumeButton({ teamId, stepUp, resume }: Props) {
  const hydrated = useHydrated();
  const { state, submit, pending, dialog, confirming, askStepUp } = useStepUpRetry(resume);
  return (
    <div className="space-y-2" data-ready={hydrated || undefined}>
      <Button
        type="button"
        pending={pending}
        pendingText="Resuming…"
        disabled={!hydrated}
        onClick={() => {
          const formData = new FormData();
          formData.set("teamId", teamId);
          submit(formData);
        }}
      >
        Resume SMS and voice
      </Button>
      {!pending && state.error && (
        <TeamChangeError state={state} confirming={confirming} stepUpText="Still paused: resuming needs your second factor again." confirm={{ type: "button", onConfirm: askStepUp }}>
          {state.error}
        </TeamChangeError>
      )}
      <StepUpDialog id="sms-resume-step-up" next="/team/sms" stepUp={stepUp} {...dialog}>
        Resuming the team&apos;s text messages and calls needs your second factor again. They resume as soon as it&apos;s accepted.
      </StepUpDialog>
    </div>
  );
}
