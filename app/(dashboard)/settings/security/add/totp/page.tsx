import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { TotpWizard } from "@/components/factors/totp-wizard";
import { stepUpHref, WizardShell } from "@/components/factors/wizard-shell";
import { requireUser } from "@/lib/auth/current-user";
import { hasFreshStepUp } from "@/lib/auth/step-up";
import { enrollRefusal } from "@/lib/factors/policy-rules";
import { beginTotp } from "@/lib/factors/totp/enroll";

export const metadata: Metadata = { title: "Set up an authenticator app" };

export default async function AddTotpPage() {
  const user = await requireUser();
  if (!(await hasFreshStepUp(user.id, user.sessionId))) redirect(stepUpHref("totp"));
  const refused = await enrollRefusal(user.id, "totp");
  // Nothing is stored yet: the secret travels sealed in `enrollment` and is saved with a valid code.
  const { uri, groupedSecret, enrollment } = beginTotp(user);
  return (
    <WizardShell refused={refused} title="Set up an authenticator app" description="An app on your phone shows a new 6-digit code every 30 seconds, even offline.">
      <TotpWizard uri={uri} groupedSecret={groupedSecret} enrollment={enrollment} />
    </WizardShell>
  );
}
