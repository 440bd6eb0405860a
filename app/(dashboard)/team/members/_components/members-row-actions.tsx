"use client";

import { useActionState, useState } from "react";
import {
  changeRoleAction,
  removeMemberAction,
  resetTwoFactorAction,
  sendReminderAction,
  withdrawResetAction,
  type MemberActionData,
} from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import type { ActionState } from "@/lib/auth/action";
import type { Role } from "@/lib/db/schema";
import type { MemberRow, MemberStatus } from "@/lib/teams/members";
import { MembersRemoveDialog, MembersResetDialog, type DialogFailure } from "./members-row-dialogs";
import { MembersRowMenu } from "./members-row-menu";
import { outcomeText, type Which } from "./members-row-outcome";
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

/**
 * The per-member action menu and its confirmations. What it offers follows the rules the
 * server enforces anyway: reminders for members without 2FA, resets for owners/admins (not of
 * owners by admins, not of yourself), role changes and removal for owners.
 */
export function MembersRowActions({ teamId, teamName, member, actor, returnTo }: Props) {
  const hydrated = useHydrated();
  const setNotice = useListNotice();
  const [dialog, setDialog] = useState<"reset" | "remove" | null>(null);
  const [dialogError, setDialogError] = useState<DialogFailure | null>(null);

  const isYou = member.userId === actor.id;
  const menuId = `member-actions-${member.userId}`;
  // Found by id when used (not a ref): it runs after events, never during render.
  const closeMenu = () => {
    const menu = document.getElementById(menuId);
    if (menu?.matches(":popover-open")) menu.hidePopover();
  };

  /** Runs a server action from the menu or a dialog, closes them, and reports the outcome above the table. */
  const run = (which: Which, action: ServerAction) => async (prev: State, formData: FormData) => {
    closeMenu();
    const result = await action(prev, formData);
    const inDialog = which === "reset" || which === "remove";
    if (result.ok) {
      if (inDialog) setDialog(null);
      setNotice({ ok: true, text: outcomeText(which, { member, teamName, isYou }, result.data, formData) });
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

  const fields = { teamId, userId: member.userId };
  const open = (which: "reset" | "remove") => {
    closeMenu();
    setDialogError(null);
    setDialog(which);
  };

  return (
    <div className="flex justify-end" data-ready={hydrated || undefined}>
      <MembersRowMenu
        menuId={menuId}
        teamId={teamId}
        member={member}
        isYou={isYou}
        can={{ remind: canRemind, reset: canReset, withdraw: canWithdraw, owner: isOwner }}
        remind={remind}
        withdraw={withdraw}
        changeRole={changeRole}
        open={open}
      />

      {dialog === "reset" && canReset && (
        <MembersResetDialog
          id={`${menuId}-reset`}
          member={member}
          action={reset}
          fields={fields}
          failure={dialogError}
          returnTo={returnTo}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === "remove" && isOwner && (
        <MembersRemoveDialog
          id={`${menuId}-remove`}
          member={member}
          teamName={teamName}
          isYou={isYou}
          action={remove}
          fields={fields}
          failure={dialogError}
          returnTo={returnTo}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
