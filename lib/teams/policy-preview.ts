import { db } from "@/lib/db";
import type { FactorKind } from "@/lib/db/schema";
import { FACTOR_KINDS, FORBIDDEN_MESSAGE, getTeamPolicy, membersWithoutPhone, membersWithoutSecondFactor, type MemberList, type TeamPolicy } from "./policy";
import { MANAGERS, teamRoleIn } from "./roles";

/** The part of a policy that decides whose factors it accepts. */
export type PreviewPolicy = Pick<TeamPolicy, "allowedMethods" | "smsBackupOnly">;

/** How many names a notice lists before "and 12 more". */
export const NOTICE_NAMES = 10;

export type PreviewResult = ({ ok: true } & MemberList) | { ok: false; code: "FORBIDDEN"; message: string };

/**
 * Who a policy not saved yet would stop: members with no factor it accepts. Only an owner or
 * admin of the team may look (the names and emails of its members are not for everyone).
 */
export async function previewAffectedMembers(
  teamId: string,
  actor: { id: string },
  policy: PreviewPolicy,
  options: { limit?: number } = {},
): Promise<PreviewResult> {
  // A read: nothing changes, so no lock.
  if (!(await teamRoleIn(db(), teamId, actor.id, MANAGERS))) return { ok: false, code: "FORBIDDEN", message: FORBIDDEN_MESSAGE };
  // Only known kinds reach the query: an unknown one would be a database error on the enum, not an answer.
  const allowedMethods = FACTOR_KINDS.filter((kind: FactorKind) => policy.allowedMethods.includes(kind));
  const list = await membersWithoutSecondFactor(teamId, { policy: { allowedMethods, smsBackupOnly: policy.smsBackupOnly }, limit: options.limit ?? NOTICE_NAMES });
  return { ok: true, ...list };
}

/**
 * Whether the team's members need a phone number: SMS is allowed as a primary method (an
 * owner's explicit choice — new teams allow it as a backup only), which includes SMS being
 * the only method. Then members without one are listed to admins, and an invitation needs a
 * number (lib/teams/invitations.ts phoneRequirement uses this rule).
 */
export function needsPhoneNumbers(policy: Pick<TeamPolicy, "allowedMethods" | "smsBackupOnly">): boolean {
  return policy.allowedMethods.includes("sms") && !policy.smsBackupOnly;
}

/** Members without a phone number, and whether SMS is a primary method (else a backup while 2FA is required). */
export type MissingPhones = MemberList & { smsPrimary: boolean };

/**
 * The members without a phone number under the team's saved policy, or null when its policy
 * does not need numbers. For pages that have already checked the viewer is an owner or admin.
 */
export async function membersMissingPhone(teamId: string, options: { limit?: number } = {}): Promise<MissingPhones | null> {
  const policy = await getTeamPolicy(teamId);
  if (!policy || !needsPhoneNumbers(policy)) return null;
  return { ...(await membersWithoutPhone(teamId, { limit: options.limit ?? NOTICE_NAMES })), smsPrimary: !policy.smsBackupOnly };
}
