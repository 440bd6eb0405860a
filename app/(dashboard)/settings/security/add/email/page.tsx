import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmailWizard } from "@/components/factors/email-wizard";
import { stepUpHref, WizardShell } from "@/components/factors/wizard-shell";
import { Alert } from "@/components/ui/alert";
import { requireUser } from "@/lib/auth/current-user";
import { hasFreshStepUp } from "@/lib/auth/step-up";
import { enrollRefusal } from "@/lib/factors/policy-rules";
import { listFactors } from "@/lib/factors";

export const metadata: Metadata = { title: "Use email codes" };

export default async function AddEmailPage() {
  const user = await requireUser();
  if (!(await hasFreshStepUp(user.id, user.sessionId))) redirect(stepUpHref("email"));
  const refused = await enrollRefusal(user.id, "email");
  const kinds = (await listFactors(user.id)).map((factor) => factor.kind);
  const alreadyOn = kinds.includes("email");
  return (
    <WizardShell refused={refused} title="Use email codes" description="When you sign in, we email you a 6-digit code to enter after your password.">
      {alreadyOn ? (
        <Alert tone="info">
          Email codes are already on for your account.{" "}
          <Link href="/settings/security" className="font-medium underline">
            Manage them in security settings
          </Link>
          .
        </Alert>
      ) : (
        <EmailWizard email={user.email} onlyFactor={kinds.length === 0} />
      )}
    </WizardShell>
  );
}
