"use client";

import { useActionState, useState, type CSSProperties } from "react";
import {
  changeRoleAction,
  removeMemberAction,
  resetTwoFactorAction,
  sendReminderAction,
  withdrawResetAction,
  type MemberActionData,
} from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";
import type { Role } from "@/lib/db/schema";
import type { MemberRow, MemberStatus } from "@/lib/teams/members";
import { MembersConfirmDialog } from "@/components/teams/members-confirm-dialog";
import { useListNotice } from "@/components/ui/list-notice";

type State = ActionState<MemberActionData>;
type ServerAction = (prev: State, formData: FormData) => Promise<State>;

export type RowMember = { userId: string; name: string; email: string; role: Role; status: MemberStatus; hasFactors: boolean; reset: MemberRow["reset"] };

type Props = {
  teamId: string;
  teamName: string;
  member: RowMember;
  /** The signed-in owner or admin. */
  actor: { id: string; role: Role };
  /** The page as it is now (search, filter, sort, page): where step-up comes back to. */
  returnTo: string;
};

const ROLE_NAMES: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };
type Which = "remind" | "role" | "reset" | "remove" | "withdraw";
const item = "block w-full rounded px-3 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 focus-visible:bg-slate-100";

/**
 * The per-member action menu: a popover (top layer, so the table's horizontal scroll never
 * clips it; anchored to its button where the browser supports anchor positioning, centred
 * otherwise). What it offers follows the rules the server enforces anyway: reminders for
 * members without 2FA, resets for owners/admins (not of owners by admins, not of yourself),
 * role changes and removal for owners.
 */
export function MembersRowActions({ teamId, teamName, member, actor, returnTo }: Props) {
  const hydrated = useHydrated();
  const setNotice = useListNotice();
  const [dialog, setDialog] = useState<"reset" | "remove" | null>(null);
  const [dialogError, setDialogError] = useState<Pick<State, "error" | "stepUp" | "setUpFactor"> | null>(null);

  const isYou = member.userId === actor.id;
  const menuId = `member-actions-${member.userId}`;
  // Found by id when used (not a ref): it runs after events, never during render.
  const closeMenu = () => {
    const menu = document.getElementById(menuId);
    if (menu?.matches(":popover-open")) menu.hidePopover();
  };

  /** What a successful action did, in words about this member. */
  const done = (which: Which, data: MemberActionData | undefined, formData: FormData) => {
    const role = formData.get("role") as Role;
    switch (which) {
      case "remind":
        return `Reminder sent to ${member.name}.`;
      case "role":
        return data?.changed ? `${member.name} is now ${ROLE_NAMES[role]?.toLowerCase() ?? "updated"}.` : `${member.name} already had that role.`;
      case "reset":
        return [
          data?.ready
            ? `Reset requested for ${member.name}. Nothing was removed: at their next sign-in, after their password and a code we email them, they can set up two-factor authentication again.`
            : `Reset requested for ${member.name}, but it isn't usable yet. ${data?.message ?? ""}`,
          data?.emailed ? "We emailed them." : "The email to them could not be sent: tell them yourself.",
        ].join(" ");
      case "withdraw":
        return `The reset request for ${member.name} was withdrawn.`;
      case "remove":
        return isYou ? `You left ${teamName}.` : `${member.name} was removed from ${teamName}.`;
    }
  };

  /** Runs a server action from the menu or a dialog, closes them, and reports the outcome above the table. */
  const run = (which: Which, action: ServerAction) => async (prev: State, formData: FormData) => {
    closeMenu();
    const result = await action(prev, formData);
    const inDialog = which === "reset" || which === "remove";
    if (result.ok) {
      if (inDialog) setDialog(null);
      setNotice({ ok: true, text: done(which, result.data, formData) });
    } else if (inDialog) {
      setDialogError({ error: result.error, stepUp: result.stepUp, setUpFactor: result.setUpFactor });
    } else {
      setNotice({
        ok: false,
        text: result.fieldErrors ? (Object.values(result.fieldErrors).flat()[0] ?? "Check and try again.") : (result.error ?? "That didn't work."),
        stepUpNext: result.stepUp ? returnTo : undefined,
        setUpFactor: result.setUpFactor,
      });
    }
    return result;
  };
  const [, remind] = useActionState<State, FormData>(run("remind", sendReminderAction), {});
  const [, changeRole] = useActionState<State, FormData>(run("role", changeRoleAction), {});
  const [, reset] = useActionState<State, FormData>(run("reset", resetTwoFactorAction), {});
  const [, remove] = useActionState<State, FormData>(run("remove", removeMemberAction), {});
  const [, withdraw] = useActionState<State, FormData>(run("withdraw", withdrawResetAction), {});

  const canRemind = member.status !== "on";
  const mayReset = !isYou && (actor.role === "owner" || member.role !== "owner");
  const canReset = mayReset && member.hasFactors && !member.reset;
  const canWithdraw = mayReset && Boolean(member.reset);
  const isOwner = actor.role === "owner";
  if (!canRemind && !canReset && !canWithdraw && !isOwner) return null;

  const anchor = `--${menuId}`;
  const fields = { teamId, userId: member.userId };
  const hidden = (
    <>
      <input type="hidden" name="teamId" value={teamId} />
      <input type="hidden" name="userId" value={member.userId} />
    </>
  );
  const open = (which: "reset" | "remove") => {
    closeMenu();
    setDialogError(null);
    setDialog(which);
  };

  return (
    <div className="flex justify-end" data-ready={hydrated || undefined}>
      <button
        type="button"
        popoverTarget={menuId}
        style={{ anchorName: anchor } as CSSProperties}
        title="Actions"
        className="inline-grid size-8 place-items-center rounded-md border border-slate-300 bg-white text-slate-600 shadow-sm hover:bg-slate-50 hover:text-slate-900"
      >
        <span className="sr-only">Actions for {member.name}</span>
        <svg viewBox="0 0 20 20" className="size-4" fill="currentColor" aria-hidden="true">
          <circle cx="4" cy="10" r="1.6" />
          <circle cx="10" cy="10" r="1.6" />
          <circle cx="16" cy="10" r="1.6" />
        </svg>
      </button>
      <div
        id={menuId}
        popover="auto"
        role="dialog"
        aria-label={`Actions for ${member.name}`}
        style={{ positionAnchor: anchor, positionArea: "bottom span-left", positionTryFallbacks: "flip-block" } as CSSProperties}
        className="w-72 rounded-md border border-slate-200 bg-white p-1 text-left shadow-lg supports-[position-area:bottom]:inset-auto supports-[position-area:bottom]:m-0 supports-[position-area:bottom]:mt-1"
      >
        <p className="truncate px-3 pt-1.5 pb-1 text-xs font-medium text-slate-500">{member.name}</p>
        {canRemind && (
          <form action={remind}>
            {hidden}
            <button type="submit" className={item}>
              Send reminder email
            </button>
          </form>
        )}
        {canReset && (
          <button type="button" className={item} onClick={() => open("reset")}>
            Reset two-factor authentication…
          </button>
        )}
        {canWithdraw && (
          <form action={withdraw}>
            {hidden}
            <button type="submit" className={item}>
              Withdraw reset request
            </button>
          </form>
        )}
        {isOwner && (
          <>
            <form action={changeRole} className="border-t border-slate-100 px-3 py-2">
              {hidden}
              <label htmlFor={`${menuId}-role`} className="block text-xs font-medium text-slate-600">
                Role
              </label>
              <div className="mt-1 flex gap-2">
                <select id={`${menuId}-role`} name="role" defaultValue={member.role} className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
                  {(Object.keys(ROLE_NAMES) as Role[]).map((role) => (
                    <option key={role} value={role}>
                      {ROLE_NAMES[role]}
                    </option>
                  ))}
                </select>
                <SubmitButton variant="secondary" pendingText="Saving…" className="px-3 py-1">
                  Save
                </SubmitButton>
              </div>
            </form>
            <button type="button" className={`${item} border-t border-slate-100 text-red-700`} onClick={() => open("remove")}>
              {isYou ? "Leave team…" : "Remove from team…"}
            </button>
          </>
        )}
      </div>

      {dialog === "reset" && canReset && (
        <MembersConfirmDialog
          onClose={() => setDialog(null)}
          id={`${menuId}-reset`}
          title={`Reset ${member.name}'s two-factor authentication?`}
          action={reset}
          fields={fields}
          confirmLabel="Request reset"
          pendingText="Requesting…"
          error={dialogError?.error}
          stepUp={dialogError?.stepUp}
          setUpFactor={dialogError?.setUpFactor}
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
      )}
      {dialog === "remove" && isOwner && (
        <MembersConfirmDialog
          onClose={() => setDialog(null)}
          id={`${menuId}-remove`}
          title={isYou ? `Leave ${teamName}?` : `Remove ${member.name} from ${teamName}?`}
          action={remove}
          fields={fields}
          confirmLabel={isYou ? "Leave team" : "Remove member"}
          pendingText={isYou ? "Leaving…" : "Removing…"}
          error={dialogError?.error}
          stepUp={dialogError?.stepUp}
          setUpFactor={dialogError?.setUpFactor}
          stepUpNext={returnTo}
        >
          {isYou ? (
            <p>You&apos;ll lose access to this team and its pages. Another owner can invite you back.</p>
          ) : (
            <p>They keep their Tessera account and sign-in methods, but lose access to this team. You can invite them again later.</p>
          )}
        </MembersConfirmDialog>
      )}
    </div>
  );
}
