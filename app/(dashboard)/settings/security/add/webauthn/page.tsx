import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { WebAuthnWizard } from "@/components/factors/webauthn-wizard";
import { stepUpHref, WizardShell } from "@/components/factors/wizard-shell";
import { requireUser } from "@/lib/auth/current-user";
import { hasFreshStepUp } from "@/lib/auth/step-up";
import { enrollRefusal } from "@/lib/factors/policy-rules";

export const metadata: Metadata = { title: "Add a security key or passkey" };

export default async function AddWebAuthnPage() {
  const user = await requireUser();
  if (!(await hasFreshStepUp(user.id, user.sessionId))) redirect(stepUpHref("webauthn"));
  const refused = await enrollRefusal(user.id, "webauthn");
  return (
    <WizardShell refused={refused}
      title="Add a security key or passkey"
      description="A hardware key such as a YubiKey, or a passkey on this device or in your password manager. It's the strongest second factor: it only answers this site, so it can't be phished."
    >
      <WebAuthnWizard />
    </WizardShell>
  );
}
