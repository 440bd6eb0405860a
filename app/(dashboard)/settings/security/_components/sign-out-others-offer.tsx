"use client";

import { useActionState } from "react";
import { signOutOtherSessionsAction } from "../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";

/**
 * After a factor change: "Sign out your other sessions?". `show` comes from the server; once
 * the person has answered, the result stays on screen although the page no longer offers it.
 */
export function SignOutOthersOffer({ show }: { show: boolean }) {
  const [state, action] = useActionState<ActionState<{ count: number }>, FormData>(signOutOtherSessionsAction, {});
  const ended = state.data?.count;
  if (ended !== undefined) {
    return <Alert tone="success">{ended === 1 ? "1 other session was signed out." : `${ended} other sessions were signed out.`}</Alert>;
  }
  if (!show) return null;
  return (
    <section aria-labelledby="sign-out-others-offer" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      <h2 id="sign-out-others-offer" className="font-medium">
        Sign out your other sessions?
      </h2>
      <p className="mt-1">
        You changed how you sign in. Browsers already signed in elsewhere stay signed in until they are signed out — if you don&apos;t recognise one, sign them out.
      </p>
      <form action={action} className="mt-3 flex flex-wrap items-center gap-3">
        <SubmitButton variant="secondary" pendingText="Signing out…" className="px-3 py-1.5">
          Sign out other sessions
        </SubmitButton>
        {state.error && <Alert tone="error">{state.error}</Alert>}
      </form>
    </section>
  );
}
