"use client";

import { useActionState } from "react";
import { keepTwoFactorAction } from "../actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";
import { useHydrated } from "@/components/auth/use-hydrated";

/** The confirm button of the "keep my 2FA" page, and what it did. */
export function KeepTwoFactorForm({ token }: { token: string }) {
  const [state, action] = useActionState<ActionState<{ canceled: number }>, FormData>(keepTwoFactorAction, {});
  const hydrated = useHydrated();
  if (state.ok && state.data) {
    return (
      <div className="space-y-3" data-testid="keep-done">
        <Alert tone="success">
          {state.data.canceled > 0
            ? "The reset was canceled. Your two-factor authentication stays as it is."
            : "There was nothing left to cancel. Your two-factor authentication stays as it is."}
        </Alert>
        <p>Someone who asks for a reset you didn&apos;t want may also know your password: change it under Settings → Security.</p>
      </div>
    );
  }
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined}>
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <input type="hidden" name="token" value={token} />
      <SubmitButton className="w-full" pendingText="Canceling…">
        Keep my two-factor authentication
      </SubmitButton>
    </form>
  );
}
