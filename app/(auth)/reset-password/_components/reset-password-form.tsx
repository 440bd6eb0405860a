"use client";

import Link from "next/link";
import { useActionState } from "react";
import { resetPasswordAction } from "../../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/auth/action";
import { PASSWORD_MIN } from "@/lib/auth/password-policy";
import { useHydrated } from "@/components/auth/use-hydrated";

/** `nextSignIn`: what the next sign-in will ask, when the account's email factor won't count (the page works it out). */
export function ResetPasswordForm({ token, nextSignIn }: { token: string; nextSignIn: string | null }) {
  const [state, action] = useActionState<ActionState, FormData>(resetPasswordAction, {});
  const hydrated = useHydrated();
  if (state.ok) {
    return (
      <div className="space-y-4">
        <Alert tone="success">Your password was changed and every session signed out. Sign in with your new password — your second factor is still needed.</Alert>
        {nextSignIn && <NextSignIn text={nextSignIn} />}
        <Link href="/sign-in" className="block text-center text-sm font-medium text-indigo-700 hover:underline">
          Sign in
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined} noValidate>
      {state.error && (
        <Alert tone="error">
          {state.error}{" "}
          <Link href="/forgot-password" className="font-medium underline">
            Ask for a new link
          </Link>
        </Alert>
      )}
      {nextSignIn && <NextSignIn text={nextSignIn} />}
      <input type="hidden" name="token" value={token} />
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        autoFocus
        minLength={PASSWORD_MIN}
        errors={state.fieldErrors?.password}
        hint={`At least ${PASSWORD_MIN} characters.`}
      />
      <SubmitButton className="w-full" pendingText="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}

function NextSignIn({ text }: { text: string }) {
  return (
    <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="next-sign-in">
      {text}
    </p>
  );
}
