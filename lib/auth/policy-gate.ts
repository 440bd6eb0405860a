import { cache } from "react";
import { effectivePolicy, type EffectivePolicy } from "@/lib/teams/policy";

/** Where a user whom a team's 2FA requirement blocks may still go: setting up a factor. */
export const SETUP_PATH = "/setup-2fa";
// Accepting an invitation only adds a membership; a blocked user may still join a team.
const OPEN_WHILE_BLOCKED = [SETUP_PATH, "/settings/security/add", "/settings/security/confirm", "/invite"];

export const SETUP_REQUIRED_MESSAGE = "Your team requires two-factor authentication. Set it up first.";

/** The 2FA policy that applies to the user, read once per request. */
export const userPolicy = cache((userId: string): Promise<EffectivePolicy> => effectivePolicy(userId));

/** Whether `path` (with or without a query) stays open to a user who must set up 2FA first. */
export function openWhileBlocked(path: string): boolean {
  const pathname = path.split("?")[0]!;
  return OPEN_WHILE_BLOCKED.some((open) => pathname === open || pathname.startsWith(`${open}/`));
}

/** True when the policy stops this user at `path` (they must enroll an allowed factor first). */
export async function blockedAt(userId: string, path: string): Promise<boolean> {
  return !openWhileBlocked(path) && (await userPolicy(userId)).status === "blocked";
}
