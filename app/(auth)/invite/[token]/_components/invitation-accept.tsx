"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";
import { useActionState, useState } from "react";
import { acceptInvitationAction } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";

/** The "Accept invitation" button; success leaves for the dashboard (the action redirects). */
export function AcceptInvitationForm({ token }: { token: string }) {
  const [state, action] = useActionState<ActionState<{ teamName: string }>, FormData>(acceptInvitationAction, {});
  const hydrated = useHydrated();
  if (state.ok && state.data) {
    return (
      <div className="space-y-4">
        <Alert tone="info">You&apos;re already a member of {state.data.teamName}. This invitation is used up.</Alert>
        <Link href="/dashboard" className="block text-center text-sm font-medium text-indigo-700 hover:underline">
          Go to your dashboard
        </Link>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined}>
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <input type="hidden" name="token" value={token} />
      <SubmitButton className="w-full" pendingText="Joining…">
        Accept invitation
      </SubmitButton>
    </form>
  );
}

/** Signs out and comes back to the invitation, to continue with the invited account. */
export function InvitationSignOut({ returnTo }: { returnTo: string }) {
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  return (
    <div data-ready={hydrated || undefined}>
      <Button
        type="button"
        variant="secondary"
        className="w-full"
        pending={pending}
        pendingText="Signing out…"
        onClick={() => {
          setPending(true);
          void signOut({ callbackUrl: returnTo });
        }}
      >
        Sign out
      </Button>
    </div>
  );
}
