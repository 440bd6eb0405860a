"use client";

import { QRCodeSVG } from "qrcode.react";
import { useActionState, useState } from "react";
import { finishTotpAction, type EnrollState } from "@/app/(dashboard)/settings/security/add/actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { CodeField } from "./code-field";
import { CopyButton } from "./copy-button";
import { FactorAdded, WizardStep } from "./wizard-shell";
import { ActionError } from "./action-error";
import { useFinishEnrollment } from "./use-finish-enrollment";

type Props = { uri: string; groupedSecret: string; enrollment: string };

const QR_LABEL = "QR code for your authenticator app";

/** Authenticator-app enrollment: scan (or type) the secret, then prove it with a code. */
export function TotpWizard(props: Props) {
  // The secret the person scanned must stay on screen even if the page re-renders with a new one.
  const [{ uri, groupedSecret, enrollment }] = useState(props);
  const hydrated = useHydrated();

  const finish = useFinishEnrollment("totp");

  const [state, action, pending] = useActionState<EnrollState, FormData>(async (_prev, formData) => {
    const result = await finishTotpAction({}, formData);
    if (result.ok && !result.data?.recoveryCodes) finish();
    return result;
  }, {});

  const codes = state.data?.recoveryCodes;
  return (
    <div className="space-y-6" data-testid="totp-wizard" data-step={codes ? "recovery-codes" : "setup"} data-ready={hydrated || undefined}>
      {codes ? (
        <FactorAdded message="Your authenticator app is set up." codes={codes} onFinish={finish} />
      ) : (
        <>
          <WizardStep step={1} of={2} title="Scan this QR code" description="In your authenticator app, add an account and scan this code with your phone's camera.">
            <div className="flex flex-col gap-6 sm:flex-row sm:items-start">
              <div className="shrink-0 self-center rounded-md border border-slate-200 bg-white p-3 sm:self-start">
                <QRCodeSVG value={uri} size={176} level="M" title={QR_LABEL} role="img" aria-label={QR_LABEL} />
              </div>
              <div className="min-w-0 flex-1 space-y-3">
                <div>
                  <h3 className="text-sm font-medium text-slate-800">Can&apos;t scan it? Enter this key</h3>
                  <p className="mt-1 text-sm text-slate-600">Choose &ldquo;Enter a setup key&rdquo; in your app, and type or paste:</p>
                </div>
                <div className="flex flex-wrap items-center gap-2">
                  <code data-testid="totp-secret" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm tracking-wider break-words text-slate-900">
                    {groupedSecret}
                  </code>
                  <CopyButton text={groupedSecret.replace(/\s+/g, "")} />
                </div>
                <p className="text-sm text-slate-600">Google Authenticator, Microsoft Authenticator, 1Password and Authy all work.</p>
              </div>
            </div>
          </WizardStep>

          <WizardStep step={2} of={2} title="Enter the code from the app" description="The app now shows a 6-digit code for Tessera that changes every 30 seconds.">
            <form action={action} className="space-y-4" noValidate>
              <input type="hidden" name="enrollment" value={enrollment} />
              <ActionError error={state.error ?? state.fieldErrors?.enrollment?.[0]} stepUp={state.stepUp} next="/settings/security/add/totp" boxed />
              <CodeField label="6-digit code from the app" error={state.fieldErrors?.code?.[0]} autoFocus={false} />
              <Field
                label="Name (optional)"
                name="label"
                placeholder="Authenticator app"
                maxLength={60}
                autoComplete="off"
                defaultValue={state.values?.label}
                errors={state.fieldErrors?.label}
                hint="Helps you tell your sign-in methods apart."
              />
              <SubmitButton className="w-full sm:w-auto" pending={pending || state.ok} pendingText="Verifying…">
                Verify and turn on
              </SubmitButton>
            </form>
          </WizardStep>
        </>
      )}
    </div>
  );
}
