"use client";

import Link from "next/link";
import { useActionState } from "react";
import { unblockSignInAction } from "../../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";
import { useHydrated } from "@/components/auth/use-hydrated";

/** The confirm step of the emailed unblock link: nothing changes until the button is pressed. */
export function UnblockForm({ token }: { token: string }) {
  const [state, action] = useActionState<ActionState, FormData>(unblockSignInAction, {});
  const hydrated = useHydrated();
  if (state.ok) {
    return (
      <div className="space-y-4">
        <Alert tone="success">Signing in is unblocked. Your password and second factor are still needed.</Alert>
        <Link href="/sign-in" className="block text-center text-sm font-medium text-indigo-700 hover:underline">
          Sign in
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined}>
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <p className="text-sm text-slate-700">
        After 100 failed second-factor attempts in a row, signing in to your account was blocked. Unblock it only if those attempts were yours.
      </p>
      <p className="text-sm text-slate-700">
        If they weren&apos;t, someone knows your password:{" "}
        <Link href="/forgot-password" className="font-medium text-indigo-700 underline">
          reset it
        </Link>{" "}
        before you unblock.
      </p>
      <input type="hidden" name="token" value={token} />
      <SubmitButton className="w-full" pendingText="Unblocking…">
        Unblock signing in
      </SubmitButton>
    </form>
  );
}
