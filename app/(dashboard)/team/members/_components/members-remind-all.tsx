"use client";

import { useActionState } from "react";
import { remindAllAction, type MemberActionData } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";

/** "Email them a reminder": one reminder to every member without a method the team accepts. */
export function MembersRemindAll({ teamId, label }: { teamId: string; label: string }) {
  const [state, action] = useActionState<ActionState<MemberActionData>, FormData>(remindAllAction, {});
  const hydrated = useHydrated();
  return (
    <form action={action} className="flex flex-wrap items-center gap-x-3 gap-y-1" data-ready={hydrated || undefined}>
      <input type="hidden" name="teamId" value={teamId} />
      <SubmitButton variant="secondary" pendingText="Sending…" className="px-3 py-1.5">
        {label}
      </SubmitButton>
      {state.error && (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      )}
      {state.ok && state.data && (
        <p role="status" className="text-sm text-emerald-800">
          {state.data.message}
        </p>
      )}
    </form>
  );
}
