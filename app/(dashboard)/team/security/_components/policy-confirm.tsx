"use client";

import type { RefObject } from "react";
import { Button } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { memberNames, type NamedMember } from "@/components/teams/policy-names";

type Props = {
  dialogRef: RefObject<HTMLDialogElement | null>;
  cancelRef: RefObject<HTMLButtonElement | null>;
  /** Who would be blocked; undefined while the preview has not answered. */
  affected?: { total: number; members: NamedMember[] };
  youId: string;
  saving: boolean;
};

export const CONFIRM_BUTTON_ID = "policy-confirm-save";

/**
 * The confirmation before a save that blocks members at once (2FA required, no grace period).
 * A modal <dialog>: focus stays inside, Escape cancels, and focus returns to Save. It sits
 * inside the policy form, so its button submits the form as edited.
 */
export function PolicyConfirm({ dialogRef, cancelRef, affected, youId, saving }: Props) {
  const total = affected?.total;
  const includesYou = affected?.members.some((m) => m.userId === youId) ?? false;
  const title =
    total === undefined
      ? "Members without two-factor authentication will be blocked"
      : total === 1
        ? "1 member will be blocked until they set up 2FA"
        : `${total} members will be blocked until they set up 2FA`;
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby="policy-confirm-title"
      aria-describedby="policy-confirm-body"
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="px-5 py-4">
        <h2 id="policy-confirm-title" className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        <div id="policy-confirm-body" className="mt-2 space-y-2 text-sm text-slate-700">
          {affected && total ? <p>{memberNames(affected.members, total, youId)}.</p> : null}
          <p>
            With no grace period they can&apos;t use Tessera from their next page until they set up a second factor this policy accepts. A grace period
            gives them time, with a banner counting down.
          </p>
          {includesYou && <p className="font-medium text-slate-900">That includes you: you&apos;ll be asked to set one up right after saving.</p>}
        </div>
      </div>
      <div className="flex flex-wrap justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3">
        <button ref={cancelRef} type="button" className={buttonClass("secondary")} onClick={() => dialogRef.current?.close()}>
          Cancel
        </button>
        <Button type="submit" id={CONFIRM_BUTTON_ID} variant="danger" pending={saving} pendingText="Saving…">
          Require 2FA now
        </Button>
      </div>
    </dialog>
  );
}
