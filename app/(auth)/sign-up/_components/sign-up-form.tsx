"use client";

import Link from "next/link";
import { signUpAction } from "../../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/auth/action";
import { PASSWORD_MIN } from "@/lib/auth/password-policy";
import { useSignInAction } from "@/components/auth/use-sign-in-action";
import { useHydrated } from "@/components/auth/use-hydrated";

type Props = { callbackUrl?: string; email?: string };

export function SignUpForm({ callbackUrl = "/dashboard", email }: Props) {
  const [state, action, pending] = useSignInAction<ActionState>(signUpAction, callbackUrl, "Your account is ready. Sign in to continue.");
  const hydrated = useHydrated();
  const error = state.error;
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined} noValidate>
      {error && <Alert tone="error">{error}</Alert>}
      <Field label="Name" name="name" autoComplete="name" required autoFocus defaultValue={state.values?.name} errors={state.fieldErrors?.name} />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email ?? email}
        errors={state.fieldErrors?.email}
        hint="We send security alerts here."
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN}
        errors={state.fieldErrors?.password}
        hint={`At least ${PASSWORD_MIN} characters. A passphrase of a few words is easy to remember and hard to guess.`}
      />
      <SubmitButton className="w-full" pending={pending || state.ok} pendingText="Creating your account…">
        Create account
      </SubmitButton>
      <p className="text-center text-sm text-slate-600">
        Already have an account?{" "}
        <Link href={callbackUrl === "/dashboard" ? "/sign-in" : `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`} className="font-medium text-indigo-700 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
