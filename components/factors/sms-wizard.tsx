"use client";

import { useActionState, useMemo } from "react";
import { beginSmsAction, finishSmsAction, type EnrollState } from "@/app/(dashboard)/settings/security/add/actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { CodeField } from "./code-field";
import { useCountdown } from "./use-countdown";
import { FactorAdded, WizardStep } from "./wizard-shell";
import { ActionError } from "./action-error";
import { useFinishEnrollment } from "./use-finish-enrollment";

type Sent = { sentTo: string; resendAt: string; phone: string };

/** Both steps share one state, so a failed resend keeps the code step and shows only the latest message. */
type Flow = Pick<EnrollState, "error" | "stepUp" | "fieldErrors" | "values"> & { sent?: Sent; notice?: string; recoveryCodes?: string[]; leaving?: boolean };

const failed = (result: EnrollState, sent?: Sent): Flow => ({ error: result.error, stepUp: result.stepUp, fieldErrors: result.fieldErrors, values: result.values, sent });

/**
 * Text-message enrollment: send a code to a number, then enter it. With `changing` (an SMS
 * factor exists) the same steps move that factor to the new number once it is verified.
 */
export function SmsWizard({ changing }: { changing: boolean }) {
  const hydrated = useHydrated();

  const finish = useFinishEnrollment("sms", changing);

  const [state, action, pending] = useActionState<Flow, FormData>(async (prev, formData) => {
    const intent = formData.get("intent");
    // Back to step 1, with the number filled in for correcting.
    if (intent === "restart") return { values: { phone: prev.sent?.phone ?? "" } };
    if (intent === "send") {
      const result = await beginSmsAction({}, formData);
      const { sentTo, resendAt, phone } = result.data ?? {};
      if (!result.ok || !sentTo || !resendAt || !phone) return failed(result, prev.sent);
      return { sent: { sentTo, resendAt, phone }, notice: prev.sent ? `We sent a new code to ${sentTo}.` : undefined };
    }
    const result = await finishSmsAction({}, formData);
    if (!result.ok) return failed(result, prev.sent);
    if (result.data?.recoveryCodes) return { sent: prev.sent, recoveryCodes: result.data.recoveryCodes };
    finish();
    return { sent: prev.sent, leaving: true };
  }, {});

  const resendIso = state.sent?.resendAt;
  const resendAt = useMemo(() => (resendIso ? new Date(resendIso) : null), [resendIso]);
  const wait = useCountdown(resendAt);
  const busy = pending || state.leaving;

  const step = state.recoveryCodes ? "recovery-codes" : state.sent ? "code" : "phone";
  return (
    <div className="space-y-6" data-testid="sms-wizard" data-step={step} data-ready={hydrated || undefined}>
      {state.recoveryCodes ? (
        <FactorAdded message="Text-message codes are on." codes={state.recoveryCodes} onFinish={finish} />
      ) : (
        <>
          <Alert tone="warning">SMS is a restricted authenticator (NIST SP 800-63B): numbers can be hijacked. Add an authenticator app or security key too.</Alert>
          {!state.sent ? (
            <WizardStep
              step={1}
              of={2}
              title={changing ? "Enter your new number" : "Enter your phone number"}
              description="We'll text a 6-digit code to check that it reaches you."
            >
              <form action={action} className="space-y-4" noValidate>
                <input type="hidden" name="intent" value="send" />
                <ActionError error={state.error} stepUp={state.stepUp} next="/settings/security/add/sms" boxed />
                <Field
                  label="Phone number"
                  name="phone"
                  type="tel"
                  autoComplete="tel"
                  inputMode="tel"
                  required
                  maxLength={32}
                  defaultValue={state.values?.phone}
                  errors={state.fieldErrors?.phone}
                  hint="Include your country code, like +1 415 555 2671 or +44 7400 123456."
                />
                <SubmitButton pendingText="Sending…">Send code</SubmitButton>
              </form>
            </WizardStep>
          ) : (
            <WizardStep step={2} of={2} title="Enter the code" description={`We sent a 6-digit code to ${state.sent.sentTo}. It expires in 10 minutes.`}>
              <div className="space-y-4">
                {state.notice && <Alert tone="success">{state.notice}</Alert>}
                {/* The number is not on screen here, so its errors (a refused resend, say) show as an alert. */}
                <ActionError error={state.error ?? state.fieldErrors?.phone?.[0]} stepUp={state.stepUp} next="/settings/security/add/sms" boxed />
                <form action={action} className="space-y-4" noValidate>
                  <input type="hidden" name="intent" value="verify" />
                  <input type="hidden" name="phone" value={state.sent.phone} />
                  <CodeField error={state.fieldErrors?.code?.[0]} />
                  <SubmitButton className="w-full sm:w-auto" disabled={pending} pending={state.leaving} pendingText="Verifying…">
                    {changing ? "Verify and switch" : "Verify and turn on"}
                  </SubmitButton>
                </form>
                <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-4">
                  <form action={action}>
                    <input type="hidden" name="intent" value="send" />
                    <input type="hidden" name="phone" value={state.sent.phone} />
                    <SubmitButton variant="secondary" disabled={busy || wait > 0} pendingText="Sending…">
                      {wait > 0 ? `Resend code in ${wait}s` : "Resend code"}
                    </SubmitButton>
                  </form>
                  <form action={action}>
                    <input type="hidden" name="intent" value="restart" />
                    <SubmitButton variant="secondary" disabled={busy}>
                      Use a different number
                    </SubmitButton>
                  </form>
                </div>
              </div>
            </WizardStep>
          )}
        </>
      )}
    </div>
  );
}
