import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { memberNames, membersHave, type NamedMember } from "./policy-names";

type Props = {
  total: number;
  members: NamedMember[];
  youId?: string;
  smsPrimary: boolean;
  /** Named where the page is not already the team's own (the dashboard: the user may have several). */
  teamName?: string;
};

/**
 * For owners and admins while the team's policy needs phone numbers (lib/teams/policy-preview.ts,
 * needsPhoneNumbers): who has none yet, and where to see the members.
 */
export function PhoneNotice({ total, members, youId, smsPrimary, teamName }: Props) {
  if (total === 0) return null;
  const team = teamName ?? "Your team";
  return (
    <div data-testid="phone-notice">
      <Alert tone="warning">
        <p>
          <strong className="font-semibold">{membersHave(total)} no phone number</strong>: {memberNames(members, total, youId)}.
        </p>
        <p className="mt-1">
          {smsPrimary
            ? `${team} allows text-message codes as a sign-in method, so members need a verified number, and inviting a member needs one too.`
            : `${team} requires two-factor authentication and allows text messages as a backup: members without a verified number have no backup by text.`}{" "}
          <Link href="/team/members" className="font-medium underline">
            See members
          </Link>
        </p>
      </Alert>
    </div>
  );
}
