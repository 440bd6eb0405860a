"use client";

import { useActionState } from "react";
import { ActionError } from "./action-error";
import { SubmitButton } from "@/components/ui/button";
import type { ButtonVariant } from "@/components/ui/button-class";
import type { ActionState } from "@/lib/auth/action";

type Props<T> = {
  action: (prev: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;
  fields?: Record<string, string>;
  label: string;
  /** A longer accessible name when several buttons share `label` (it must contain `label`). */
  ariaLabel?: string;
  pendingText: string;
  variant?: ButtonVariant;
  /** Where "Confirm it's you" returns to when the action needs a fresh second factor. */
  stepUpNext?: string;
  className?: string;
};

/** One button that runs one server action, with its pending state, error and step-up link. */
export function ActionButton<T>({ action, fields = {}, label, ariaLabel, pendingText, variant = "secondary", stepUpNext = "/settings/security", className }: Props<T>) {
  const [state, formAction] = useActionState<ActionState<T>, FormData>(action, {});
  return (
    <form action={formAction} className={className}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton variant={variant} pendingText={pendingText} aria-label={ariaLabel} className="px-3 py-1.5">
        {label}
      </SubmitButton>
      <ActionError error={state.error} stepUp={state.stepUp} next={stepUpNext} />
    </form>
  );
}
