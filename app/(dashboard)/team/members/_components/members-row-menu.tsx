"use client";

import type { CSSProperties } from "react";
import { SubmitButton } from "@/components/ui/button";
import type { Role } from "@/lib/db/schema";
import type { RowMember } from "./members-row-actions";
import { ROLE_NAMES } from "./members-row-outcome";

const item = "block w-full rounded px-3 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 focus-visible:bg-slate-100";

type Props = {
  menuId: string;
  teamId: string;
  member: RowMember;
  isYou: boolean;
  /** What the actor may do to this member; the menu offers only that. */
  can: { remind: boolean; reset: boolean; withdraw: boolean; owner: boolean };
  remind: (formData: FormData) => void;
  withdraw: (formData: FormData) => void;
  changeRole: (formData: FormData) => void;
  open: (which: "reset" | "remove") => void;
};

/**
 * The button and its popover (top layer, so the table's horizontal scroll never clips it;
 * anchored to its button where the browser supports anchor positioning, centred otherwise).
 */
export function MembersRowMenu({ menuId, teamId, member, isYou, can, remind, withdraw, changeRole, open }: Props) {
  const anchor = `--${menuId}`;
  const hidden = (
    <>
        <input type="hidden" name="teamId" value={teamId} />
        <input type="hidden" name="userId" value={member.userId} />
    </>
  );
  return (
    <>
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
        {can.remind && (
          <form action={remind}>
            {hidden}
            <button type="submit" className={item}>
              Send reminder email
            </button>
          </form>
        )}
        {can.reset && (
          <button type="button" className={item} onClick={() => open("reset")}>
            Reset two-factor authentication…
          </button>
        )}
        {can.withdraw && (
          <form action={withdraw}>
            {hidden}
            <button type="submit" className={item}>
              Withdraw reset request
            </button>
          </form>
        )}
        {can.owner && (
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
    </>
  );
}
