"use client";

import { startTransition, useActionState, useRef, useState } from "react";
import type { ActionState } from "@/lib/auth/action";

type Action<T> = (prev: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;

/**
 * Runs a team-wide action that may answer "confirm it's you first": the form data waits
 * while the step-up dialog asks for the factor, and is sent again, unchanged, once it is
 * accepted — so nothing typed or chosen is lost. `onResult` sees every answer.
 */
export function useStepUpRetry<T>(action: Action<T>, onResult?: (result: ActionState<T>) => void) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const waiting = useRef<FormData | null>(null);
  const [confirming, setConfirming] = useState(false);
  const askStepUp = () => {
    setConfirming(true);
    dialogRef.current?.showModal();
  };

  const [state, run, pending] = useActionState<ActionState<T>, FormData>(async (prev, formData) => {
    const result = await action(prev, formData);
    if (result.stepUp) {
      waiting.current = formData;
      askStepUp();
    }
    onResult?.(result);
    return result;
  }, {});

  const submit = (formData: FormData) => startTransition(() => run(formData));
  const dialog = {
    dialogRef,
    open: confirming,
    onClose: () => setConfirming(false),
    onVerified: () => {
      dialogRef.current?.close();
      const formData = waiting.current;
      waiting.current = null;
      if (formData) submit(formData);
    },
  };
  // askStepUp opens the dialog again for the change still waiting (after Cancel).
  return { state, submit, pending, dialog, confirming, askStepUp };
}
