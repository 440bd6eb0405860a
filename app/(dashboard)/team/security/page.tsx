import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PhoneNotice } from "@/components/teams/phone-notice";
import { PolicyForm } from "./_components/policy-form";
import { requireTeamAdmin } from "@/lib/auth/current-team";
import { listPromptMethods } from "@/lib/factors/methods";
import { countRecoveryCodes } from "@/lib/factors/recovery/recovery-codes";
import { formatTime } from "@/lib/format/time";
import { getTeamPolicy, type TeamPolicy } from "@/lib/teams/policy";
import { membersMissingPhone, previewAffectedMembers } from "@/lib/teams/policy-preview";

export const metadata: Metadata = { title: "Team security" };

const DAY_MS = 24 * 60 * 60 * 1000;

/** "Required since …. The grace period ends …." for a requirement that is on. */
function requireStatus(policy: TeamPolicy, now = Date.now()): string | null {
  if (!policy.requireTwoFactor || !policy.requireStartedAt) return null;
  const since = `Required since ${formatTime(policy.requireStartedAt)}.`;
  if (policy.graceDays === 0) return since;
  const ends = new Date(policy.requireStartedAt.getTime() + policy.graceDays * DAY_MS);
  return `${since} The grace period ${ends.getTime() > now ? "ends" : "ended"} ${formatTime(ends)}.`;
}

export default async function TeamSecurityPage() {
  const { user, team } = await requireTeamAdmin();
  const policy = await getTeamPolicy(team.id);
  if (!policy) redirect("/dashboard");
  const [affected, missingPhone, methods, recoveryCodesLeft] = await Promise.all([
    previewAffectedMembers(team.id, user, policy),
    membersMissingPhone(team.id),
    listPromptMethods(user.id),
    countRecoveryCodes(user.id),
  ]);
  // The role changed since the layout checked it: the page is no longer this user's to see.
  if (!affected.ok) redirect("/dashboard");

  const { requireTwoFactor, graceDays, allowedMethods, smsBackupOnly, defaultMethod, rememberDeviceDays, sessionIdleMinutes, sessionMaxHours } = policy;
  return (
    <div className="space-y-6">
      <div>
        <h2 className="text-lg font-semibold text-slate-900">Two-factor policy</h2>
        <p className="mt-1 text-sm text-slate-600">
          Applies to every member of {team.name}. Someone in several teams follows all of their policies: 2FA is required if any team requires it.
        </p>
      </div>
      {missingPhone && <PhoneNotice {...missingPhone} youId={user.id} />}
      {/* Keyed by team: after a switch of team the form starts from that team's policy, not the edits made to the last one. */}
      <PolicyForm
        key={team.id}
        teamId={team.id}
        saved={{ requireTwoFactor, graceDays, allowedMethods, smsBackupOnly, defaultMethod, rememberDeviceDays, sessionIdleMinutes, sessionMaxHours }}
        requireStatus={requireStatus(policy)}
        affected={{ total: affected.total, members: affected.members.map(({ userId, name, email }) => ({ userId, name: name || email })) }}
        youId={user.id}
        stepUp={{ methods: methods.map(({ kind, label, hint }) => ({ kind, label, hint })), recoveryCodesLeft }}
      />
    </div>
  );
}
