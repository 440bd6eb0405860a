"use client";

import Link from "next/link";
import { signInAction, type SignInState } from "../../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { AUTH_ERRORS } from "@/lib/auth/errors";
import { useSignInAction } from "@/components/auth/use-sign-in-action";
import { useHydrated } from "@/components/auth/use-hydrated";

export function SignInForm({ callbackUrl, notice }: { callbackUrl: string; notice?: string }) {
  const [state, action, pending] = useSignInAction<SignInState>(signInAction, callbackUrl, AUTH_ERRORS.CHALLENGE_INVALID());
  const hydrated = useHydrated();
  const error = state.error;
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined} noValidate>
      {notice && !error && <Alert tone="info">{notice}</Alert>}
      {error && <Alert tone="error">{error}</Alert>}
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        autoFocus
        defaultValue={state.values?.email}
        errors={state.fieldErrors?.email}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        errors={state.fieldErrors?.password}
        aside={
          <Link href="/forgot-password" className="text-sm text-indigo-700 hover:underline">
            Forgot password?
          </Link>
        }
      />
      <SubmitButton className="w-full" pending={pending || state.ok} pendingText="Signing in…">
        Sign in
      </SubmitButton>
      <p className="text-center text-sm text-slate-600">
        New to Tessera?{" "}
        {/* Keeps where the person was going (an invitation, say) through sign-up. */}
        <Link href={callbackUrl === "/dashboard" ? "/sign-up" : `/sign-up?callbackUrl=${encodeURIComponent(callbackUrl)}`} className="font-medium text-indigo-700 hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
