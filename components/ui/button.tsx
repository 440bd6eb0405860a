"use client";

import type { ButtonHTMLAttributes } from "react";
import { useFormStatus } from "react-dom";
import { buttonClass, type ButtonVariant } from "./button-class";
import { Spinner } from "./spinner";

type Props = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; pending?: boolean; pendingText?: string };

/** A button that shows a spinner and its `pendingText` while `pending`. */
export function Button({ variant = "primary", pending = false, pendingText, className = "", children, disabled, ...rest }: Props) {
  return (
    <button {...rest} disabled={disabled || pending} aria-busy={pending || undefined} className={buttonClass(variant, className)}>
      {pending && <Spinner />}
      {pending && pendingText ? pendingText : children}
    </button>
  );
}

/** A submit button that is pending while its form's action runs. */
export function SubmitButton(props: Omit<Props, "type">) {
  const { pending } = useFormStatus();
  return <Button {...props} type="submit" pending={pending || props.pending} />;
}
