import type { ReactNode } from "react";
import { ActionError } from "@/components/factors/action-error";
import { Alert } from "@/components/ui/alert";
import type { ActionState } from "@/lib/auth/action";

type Props = {
  state: Pick<ActionState<unknown>, "error" | "stepUp" | "setUpFactor">;
  /** The step-up dialog is open: it says everything itself. */
  confirming: boolean;
  /** "Nothing was saved: … needs your second factor again." */
  stepUpText: string;
  /** Opens the step-up dialog again: `submit` sends the form as it is now, `onConfirm` the change still waiting. */
  confirm: { type: "submit" } | { type: "button"; onConfirm: () => void };
  /** What to say for any other refusal. */
  children: ReactNode;
};

/** Why a team-wide change was refused, with the way past it: confirming it's you, or setting up a factor of one's own. */
export function TeamChangeError({ state, confirming, stepUpText, confirm, children }: Props) {
  if (state.stepUp) {
    if (confirming) return null;
    return (
      <Alert tone="error">
        {stepUpText}{" "}
        <button type={confirm.type} onClick={confirm.type === "button" ? confirm.onConfirm : undefined} className="font-medium text-indigo-700 underline">
          Confirm it&apos;s you
        </button>
      </Alert>
    );
  }
  if (state.setUpFactor) return <ActionError error={state.error} setUpFactor boxed />;
  return <Alert tone="error">{children}</Alert>;
}
