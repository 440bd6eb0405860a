"use client";

import { browserSupportsWebAuthn, startRegistration, WebAuthnError, type PublicKeyCredentialCreationOptionsJSON, type RegistrationResponseJSON } from "@simplewebauthn/browser";
import Link from "next/link";
import { useActionState, useSyncExternalStore } from "react";
import { finishWebAuthnAction, webauthnRegistrationOptionsAction, type EnrollState } from "@/app/(dashboard)/settings/security/add/actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FactorAdded, WizardStep } from "./wizard-shell";
import { ActionError } from "./action-error";
import { useFinishEnrollment } from "./use-finish-enrollment";

type Flow = Pick<EnrollState, "error" | "stepUp" | "fieldErrors"> & { label?: string; recoveryCodes?: string[]; leaving?: boolean };

const PROMPT_FAILED = "The security key didn't answer, or the request was cancelled. Try again.";
const ALREADY_REGISTERED = "This security key is already registered to your account.";

const noSubscription = () => () => {};

/** Security-key or passkey registration: name it, then one browser prompt. */
export function WebAuthnWizard() {
  const hydrated = useHydrated();
  // The server cannot know: it renders "supported", and the browser answers after hydration.
  const supported = useSyncExternalStore(noSubscription, browserSupportsWebAuthn, () => true);

  const finish = useFinishEnrollment("webauthn");

  const [state, action, pending] = useActionState<Flow, FormData>(async (_prev, formData) => {
    const label = String(formData.get("label") ?? "");
    const options = await webauthnRegistrationOptionsAction();
    if (!options.ok) return { error: options.error, stepUp: options.stepUp, label };
    let response: RegistrationResponseJSON;
    try {
      response = await startRegistration({ optionsJSON: options.options as PublicKeyCredentialCreationOptionsJSON });
    } catch (error) {
      const known = error instanceof WebAuthnError && error.code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED";
      return { error: known ? ALREADY_REGISTERED : PROMPT_FAILED, label };
    }
    const result = await finishWebAuthnAction(label, JSON.stringify(response));
    if (!result.ok) return { error: result.error, stepUp: result.stepUp, fieldErrors: result.fieldErrors, label };
    if (result.data?.recoveryCodes) return { recoveryCodes: result.data.recoveryCodes };
    finish();
    return { label, leaving: true };
  }, {});

  return (
    <div className="space-y-6" data-testid="webauthn-wizard" data-step={state.recoveryCodes ? "recovery-codes" : "register"} data-ready={hydrated || undefined}>
      {state.recoveryCodes ? (
        <FactorAdded message="Your security key is registered." codes={state.recoveryCodes} onFinish={finish} />
      ) : (
        <WizardStep title="Register your key" description="Your browser will ask you to touch your security key, or to confirm with your fingerprint, face or screen lock.">
          {supported ? (
            <form action={action} className="space-y-4" noValidate>
              <ActionError error={state.error} stepUp={state.stepUp} next="/settings/security/add/webauthn" boxed />
              <Field
                label="Name"
                name="label"
                placeholder="YubiKey 5C"
                defaultValue={state.label ?? "Security key"}
                maxLength={60}
                autoComplete="off"
                errors={state.fieldErrors?.label}
                hint="So you can tell your keys apart."
              />
              <SubmitButton className="w-full sm:w-auto" pending={pending || state.leaving} pendingText="Waiting for your security key…">
                Register security key
              </SubmitButton>
            </form>
          ) : (
            <Alert tone="warning">
              This browser can&apos;t use security keys or passkeys. Try a current version of Chrome, Edge, Firefox or Safari, or{" "}
              <Link href="/settings/security/add/totp" className="font-medium underline">
                set up an authenticator app
              </Link>{" "}
              instead.
            </Alert>
          )}
        </WizardStep>
      )}
    </div>
  );
}
