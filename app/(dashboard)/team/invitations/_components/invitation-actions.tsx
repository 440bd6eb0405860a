"use client";

import { useActionState } from "react";
import { resendInvitationAction, revokeInvitationAction } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";

type Props = { teamId: string; invitationId: string; email: string };

/** Resend and Revoke for one pending invitation; each is its own form with its own outcome. */
export function InvitationActions({ teamId, invitationId, email }: Props) {
  const [resent, resend, resending] = useActionState<ActionState<{ email: string }>, FormData>(resendInvitationAction, {});
  const [revoked, revoke] = useActionState<ActionState, FormData>(revokeInvitationAction, {});
  const hydrated = useHydrated();
  const error = revoked.error ?? resent.error;
  const fields = (
    <>
      <input type="hidden" name="teamId" value={teamId} />
      <input type="hidden" name="invitationId" value={invitationId} />
    </>
  );
  return (
    <div className="flex flex-col items-start gap-1 sm:items-end">
      <div className="flex gap-2">
        <form action={resend} data-ready={hydrated || undefined}>
          {fields}
          <SubmitButton variant="secondary" pendingText="Sending…" className="px-3 py-1.5">
            Resend<span className="sr-only"> the invitation to {email}</span>
          </SubmitButton>
        </form>
        <form action={revoke} data-ready={hydrated || undefined}>
          {fields}
          <SubmitButton variant="secondary" pendingText="Revoking…" className="px-3 py-1.5 text-red-700">
            Revoke<span className="sr-only"> the invitation to {email}</span>
          </SubmitButton>
        </form>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {resent.ok && !resending && !error && (
        <p role="status" className="text-sm text-emerald-800">
          New link sent. The old one no longer works.
        </p>
      )}
    </div>
  );
}
