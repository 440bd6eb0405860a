"use client";

import { useActionState } from "react";
import { inviteAction } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { ActionError } from "@/components/factors/action-error";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/auth/action";

type Props = {
  teamId: string;
  /** Only owners may invite owners (the server checks again). */
  canInviteOwner: boolean;
  /** From the team's policy: SMS as a primary method makes the number required, as a backup optional. */
  phone: "required" | "optional" | "none";
};

const PHONE_NOTES = {
  required: "Required: this team allows text-message (SMS) codes for signing in, so every member needs a phone number.",
  optional: "This team allows text-message (SMS) codes as a backup method only.",
} as const;

export function InviteForm({ teamId, canInviteOwner, phone }: Props) {
  const [state, action, pending] = useActionState<ActionState<{ email: string }>, FormData>(inviteAction, {});
  const hydrated = useHydrated();
  const roleError = state.fieldErrors?.role?.[0];
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined} noValidate>
      {state.ok && state.data && !pending && (
        <Alert tone="success">
          Invitation sent to <span className="wrap-anywhere">{state.data.email}</span>. The link works once, for 7 days.
        </Alert>
      )}
      <ActionError error={state.error} stepUp={state.stepUp} setUpFactor={state.setUpFactor} next="/team/invitations" boxed />
      <input type="hidden" name="teamId" value={teamId} />
      <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_11rem]">
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="off"
          required
          maxLength={254}
          placeholder="name@example.com"
          defaultValue={state.values?.email}
          errors={state.fieldErrors?.email}
        />
        <div>
          <label htmlFor="role" className="block text-sm font-medium text-slate-800">
            Role
          </label>
          <select
            id="role"
            name="role"
            // Keyed by the returned value: a select keeps its own choice across renders otherwise.
            key={state.values?.role ?? "member"}
            defaultValue={state.values?.role ?? "member"}
            aria-invalid={roleError ? true : undefined}
            aria-describedby={roleError ? "role-error" : undefined}
            className={`mt-1 block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none ${
              roleError ? "border-red-500" : "border-slate-300"
            }`}
          >
            <option value="member">Member</option>
            <option value="admin">Admin</option>
            {canInviteOwner && <option value="owner">Owner</option>}
          </select>
          {roleError && (
            <p id="role-error" className="mt-1 text-sm text-red-700">
              {roleError}
            </p>
          )}
        </div>
      </div>
      {phone !== "none" && (
        <Field
          label={phone === "required" ? "Phone number" : "Phone number (optional)"}
          name="phone"
          type="tel"
          autoComplete="off"
          inputMode="tel"
          required={phone === "required"}
          maxLength={32}
          placeholder="+1 415 555 2671"
          defaultValue={state.values?.phone}
          errors={state.fieldErrors?.phone}
          hint={`${PHONE_NOTES[phone]} Include the country code.`}
        />
      )}
      <p className="text-xs text-slate-600">
        Admins invite people and manage the team&apos;s members and security settings{canInviteOwner ? "; owners can also add SMS credits" : ""}.
      </p>
      <SubmitButton pendingText="Sending…">Send invitation</SubmitButton>
    </form>
  );
}
