import type { MemberActionData } from "../actions";
import type { Role } from "@/lib/db/schema";

export const ROLE_NAMES: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };

export type Which = "remind" | "role" | "reset" | "remove" | "withdraw";

type Subject = { member: { name: string }; teamName: string; isYou: boolean };

/** What a successful action did, in words about this member. */
export function outcomeText(which: Which, { member, teamName, isYou }: Subject, data: MemberActionData | undefined, formData: FormData): string {
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
}
