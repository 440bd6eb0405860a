import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SmsWizard } from "@/components/factors/sms-wizard";
import { stepUpHref, WizardShell } from "@/components/factors/wizard-shell";
import { requireUser } from "@/lib/auth/current-user";
import { hasFreshStepUp } from "@/lib/auth/step-up";
import { enrollRefusal } from "@/lib/factors/policy-rules";
import { listFactors } from "@/lib/factors";

export const metadata: Metadata = { title: "Use text-message codes" };

export default async function AddSmsPage() {
  const user = await requireUser();
  if (!(await hasFreshStepUp(user.id, user.sessionId))) redirect(stepUpHref("sms"));
  const refused = await enrollRefusal(user.id, "sms");
  // With an SMS factor already on, this page moves it to a new number.
  const changing = (await listFactors(user.id)).some((factor) => factor.kind === "sms");
  return (
    <WizardShell refused={refused}
      title={changing ? "Change your phone number" : "Use text-message codes"}
      description={
        changing
          ? "Your current number stays in place until the new one is verified."
          : "When you sign in, we text you a 6-digit code to enter after your password."
      }
    >
      <SmsWizard changing={changing} />
    </WizardShell>
  );
}
