import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { InvitationActions } from "./_components/invitation-actions";
import { InviteForm } from "./_components/invite-form";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireTeamAdmin } from "@/lib/auth/current-team";
import { formatTime } from "@/lib/format/time";
import { listPendingInvitations, phoneRequirement } from "@/lib/teams/invitations";
import { getTeamPolicy } from "@/lib/teams/policy";

export const metadata: Metadata = { title: "Invitations" };

const roleNames = { owner: "Owner", admin: "Admin", member: "Member" } as const;

export default async function InvitationsPage() {
  const { team } = await requireTeamAdmin();
  const [policy, pending] = await Promise.all([getTeamPolicy(team.id), listPendingInvitations(team.id)]);
  if (!policy) notFound();
  const shown = pending.invitations;

  return (
    <div className="space-y-6">
      <Card title="Invite someone" description="They get an email with a link that works once, for 7 days, and sign in or create an account to join.">
        <div className="space-y-4">
          {policy.requireTwoFactor && (
            <Alert tone="info">
              This team requires two-factor authentication. The invitation says so, and new members set up a second factor before they can use
              the team.
            </Alert>
          )}
          <InviteForm teamId={team.id} canInviteOwner={team.role === "owner"} phone={phoneRequirement(policy)} />
        </div>
      </Card>

      <Card
        title="Pending invitations"
        description={
          shown.length < pending.total
            ? `The newest ${shown.length} of ${pending.total} invitations not yet accepted.`
            : "Invitations not yet accepted. Accepted, revoked and expired ones leave this list."
        }
      >
        {shown.length === 0 ? (
          <p className="py-6 text-center text-sm text-slate-600">No pending invitations. People you invite appear here until they accept.</p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Pending invitations">
            {shown.map((invitation) => (
              <li key={invitation.id} className="flex flex-col gap-3 py-3 sm:flex-row sm:items-start sm:justify-between" data-testid="pending-invitation">
                <div className="min-w-0 text-sm">
                  <p className="flex flex-wrap items-center gap-2">
                    <span className="font-medium wrap-anywhere text-slate-900">{invitation.email}</span>
                    <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{roleNames[invitation.role]}</span>
                  </p>
                  <p className="mt-0.5 text-slate-600">
                    Invited by {invitation.invitedByName ?? "a former member"} · expires{" "}
                    <time dateTime={invitation.expiresAt.toISOString()}>{formatTime(invitation.expiresAt)}</time>
                  </p>
                </div>
                <InvitationActions teamId={team.id} invitationId={invitation.id} email={invitation.email} />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
