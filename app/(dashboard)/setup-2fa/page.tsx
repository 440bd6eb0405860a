import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { MethodChoices } from "@/components/factors/method-choices";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/current-user";
import { userPolicy } from "@/lib/auth/policy-gate";
import { listFactors } from "@/lib/factors";
import { FACTOR_NAMES } from "@/lib/factors/registry";
import { addableKinds } from "@/lib/factors/policy-rules";
import { listNames } from "@/lib/format/list";
import { formatTime } from "@/lib/format/time";

export const metadata: Metadata = { title: "Set up two-factor authentication" };

/**
 * Where a team's 2FA requirement sends a member who has no factor it accepts: the only page
 * (with the wizards it links to) they can use until they enroll one.
 */
export default async function SetupTwoFactorPage() {
  const user = await requireUser();
  const [policy, factors] = await Promise.all([userPolicy(user.id), listFactors(user.id)]);
  if (!policy.required || policy.hasAllowedFactor) redirect("/settings/security");

  const teams = listNames(policy.requiredBy.map((t) => t.name));
  const kinds = addableKinds(policy);
  const disallowed = [...new Set(factors.map((f) => f.kind))].filter((k) => !policy.allowedMethods.includes(k) || (policy.smsBackupOnly && k === "sms"));
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">Set up two-factor authentication</h1>
        <p className="mt-1 text-sm text-slate-600">
          {teams} requires two-factor authentication: after your password, you&apos;ll confirm it&apos;s you with a second method, so a stolen password
          alone can&apos;t get into your account.
        </p>
      </header>
      {policy.status === "blocked" ? (
        <Alert tone="warning">Set up a method to continue. Until then, this is the only page you can use.</Alert>
      ) : (
        policy.graceEndsAt && (
          <Alert tone="info">
            You can keep using Tessera until {formatTime(policy.graceEndsAt)}; after that you&apos;ll need a method to continue.
          </Alert>
        )
      )}
      {disallowed.length > 0 && (
        <Alert tone="info">
          {teams} doesn&apos;t accept {listNames(disallowed.map((k) => FACTOR_NAMES[k].toLowerCase()))}
          {policy.smsBackupOnly && disallowed.includes("sms") ? " except as a backup" : ""}. Add one of the methods below.
        </Alert>
      )}
      <Card title="Choose a method" description="You can add more methods later under Settings → Security.">
        {kinds.length > 0 ? (
          <MethodChoices kinds={kinds} recommended={policy.recommended && { kind: policy.recommended, by: policy.requiredBy[0]!.name }} />
        ) : (
          <Alert tone="error">
            The policies of {teams} have no method in common, so none can be set up. Ask an admin of one of these teams to allow another method.
          </Alert>
        )}
      </Card>
    </div>
  );
}
