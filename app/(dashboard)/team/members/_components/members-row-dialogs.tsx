"use client";

import { MembersConfirmDialog } from "@/components/teams/members-confirm-dialog";
import type { ActionState } from "@/lib/auth/action";
import type { MemberActionData } from "../actions";
import type { RowMember } from "./members-row-actions";

type State = ActionState<MemberActionData>;

export type DialogFailure = Pick<State, "error" | "stepUp" | "setUpFactor">;

type Props = {
  id: string;
  member: RowMember;
  action: (formData: FormData) => void;
  fields: Record<string, string>;
  /** Why the last attempt failed, shown in the dialog. */
  failure: DialogFailure | null;
  returnTo: string;
  onClose: () => void;
};

/** Asks before requesting a reset of the member's second factors, and says what it does. */
export function MembersResetDialog({ id, member, action, fields, failure, returnTo, onClose }: Props) {
  return (
    <MembersConfirmDialog
      onClose={onClose}
      id={id}
      title={`Reset ${member.name}'s two-factor authentication?`}
      action={action}
      fields={fields}
      confirmLabel="Request reset"
      pendingText="Requesting…"
      error={failure?.error}
      stepUp={failure?.stepUp}
      setUpFactor={failure?.setUpFactor}
      stepUpNext={returnTo}
    >
      <p>Nothing is removed now. For 7 days, at their next sign-in and after their password, they can choose &ldquo;Lost your factors?&rdquo;.</p>
      <p>
        Only then, after entering a code we send to their email address, are their second factors, recovery codes and remembered devices
        removed, their other sessions ended, and they set up two-factor authentication again. If they still have their factors, nothing
        changes.
      </p>
      <p>
        If another team they belong to requires two-factor authentication, the reset waits until an admin of that team asks too.
      </p>
      <p>
        We&apos;ll email them at <span className="font-medium text-slate-900">{member.email}</span>, with a link to cancel it if they didn&apos;t ask
        for it. The request is recorded in the audit log.
      </p>
    </MembersConfirmDialog>
  );
}

/** Asks before removing the member from the team, or the owner themselves leaving it. */
export function MembersRemoveDialog({ id, member, teamName, isYou, action, fields, failure, returnTo, onClose }: Props & { teamName: string; isYou: boolean }) {
  return (
    <MembersConfirmDialog
      onClose={onClose}
      id={id}
      title={isYou ? `Leave ${teamName}?` : `Remove ${member.name} from ${teamName}?`}
      action={action}
      fields={fields}
      confirmLabel={isYou ? "Leave team" : "Remove member"}
      pendingText={isYou ? "Leaving…" : "Removing…"}
      error={failure?.error}
      stepUp={failure?.stepUp}
      setUpFactor={failure?.setUpFactor}
      stepUpNext={returnTo}
    >
      {isYou ? (
        <p>You&apos;ll lose access to this team and its pages. Another owner can invite you back.</p>
      ) : (
        <p>They keep their Tessera account and sign-in methods, but lose access to this team. You can invite them again later.</p>
      )}
    </MembersConfirmDialog>
  );
}
