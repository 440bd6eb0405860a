"use client";

import { useActionState } from "react";
import { signOutOtherSessionsAction } from "../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";

export function SignOutOthersForm({ others }: { others: number }) {
  const [state, action] = useActionState<ActionState<{ count: number }>, FormData>(signOutOtherSessionsAction, {});
  const ended = state.data?.count;
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <SubmitButton variant="secondary" disabled={others === 0} pendingText="Signing out…">
        Sign out all other sessions
      </SubmitButton>
      {others === 0 && ended === undefined && <p className="text-sm text-slate-600">This is your only session.</p>}
      {state.error && <Alert tone="error">{state.error}</Alert>}
      {ended !== undefined && <Alert tone="success">{ended === 1 ? "1 other session was signed out." : `${ended} other sessions were signed out.`}</Alert>}
    </form>
  );
}
