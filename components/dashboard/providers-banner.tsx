import type { UnconfiguredChannel } from "@/lib/messaging/choose-provider";
import { listNames } from "@/lib/format/list";

const WHAT = {
  email: "Email can't be sent: codes, invitations and security notices by email don't go out.",
  phone: "Text messages and calls can't be sent: SMS and voice codes don't go out, and no credit is spent on them.",
} as const;

/**
 * Told to a team's owners while this server has no provider for a channel (production,
 * lib/messaging/choose-provider.ts): members asking for such a code are refused, and the
 * owner is who can reach the operator. Names the variables the operator must set.
 */
export function ProvidersBanner({ unconfigured }: { unconfigured: UnconfiguredChannel[] }) {
  if (unconfigured.length === 0) return null;
  return (
    <div role="status" className="border-b border-amber-200 bg-amber-50" data-testid="providers-banner">
      <div className="mx-auto max-w-5xl space-y-1 px-4 py-2 text-sm text-amber-900">
        {unconfigured.map(({ channels, variables }) => (
          <p key={variables[0]}>
            {WHAT[channels.includes("email") ? "email" : "phone"]} This server&apos;s operator has to set{" "}
            {listNames(variables)}.
          </p>
        ))}
      </div>
    </div>
  );
}
