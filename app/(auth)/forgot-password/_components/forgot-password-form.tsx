"use client";

import Link from "next/link";
import { useActionState } from "react";
import { forgotPasswordAction } from "../../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/auth/action";
import { useHydrated } from "@/components/auth/use-hydrated";

export function ForgotPasswordForm() {
  const [state, action] = useActionState<ActionState, FormData>(forgotPasswordAction, {});
  const hydrated = useHydrated();
  if (state.ok) {
    return (
      <div className="space-y-4">
        <Alert tone="success">If an account exists for that email, we sent it a link to choose a new password. The link works for 30 minutes.</Alert>
        <Link href="/sign-in" className="block text-center text-sm font-medium text-indigo-700 hover:underline">
          Back to sign in
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined} noValidate>
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <Field label="Email" name="email" type="email" autoComplete="username" required autoFocus defaultValue={state.values?.email} errors={state.fieldErrors?.email} />
      <SubmitButton className="w-full" pendingText="Sending…">
        Email me a reset link
      </SubmitButton>
      <p className="text-center text-sm">
        <Link href="/sign-in" className="font-medium text-indigo-700 hover:underline">
          Back to sign in
        </Link>
      </p>
    </form>
  );
}
