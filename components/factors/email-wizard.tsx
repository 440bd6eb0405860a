"use client";

import { useActionState, useMemo } from "react";
import { beginEmailAction, finishEmailAction, type EnrollState } from "@/app/(dashboard)/settings/security/add/actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { CodeField } from "./code-field";
import { useCountdown } from "./use-countdown";
import { FactorAdded, WizardStep } from "./wizard-shell";
import { ActionError } from "./action-error";
import { useFinishEnrollment } from "./use-finish-enrollment";

type Sent = { sentTo: string; resendAt: string };

/** Both steps share one state, so a failed resend keeps the code step and shows only the latest message. */
type Flow = Pick<EnrollState, "error" | "stepUp" | "fieldErrors"> & { sent?: Sent; notice?: string; recoveryCodes?: string[]; leaving?: boolean };

const failed = (result: EnrollState, sent?: Sent): Flow => ({ error: result.error, stepUp: result.stepUp, fieldErrors: result.fieldErrors, sent });

/**
 * Email-code enrollment: send a code to the account's address, then enter it. `onlyFactor`:
 * email would be the account's only factor, and a password reset by email then needs a
 * recovery code at the next sign-in (lib/factors/methods.ts) — said before it is turned on.
 */
export function EmailWizard({ email, onlyFactor }: { email: string; onlyFactor: boolean }) {
  const hydrated = useHydrated();

  const finish = useFinishEnrollment("email");

  const [state, action, pending] = useActionState<Flow, FormData>(async (prev, formData) => {
    if (formData.get("intent") === "send") {
      const result = await beginEmailAction({}, formData);
      const { sentTo, resendAt } = result.data ?? {};
      if (!result.ok || !sentTo || !resendAt) return failed(result, prev.sent);
      return { sent: { sentTo, resendAt }, notice: prev.sent ? `We sent a new code to ${sentTo}.` : undefined };
    }
    const result = await finishEmailAction({}, formData);
    if (!result.ok) return failed(result, prev.sent);
    if (result.data?.recoveryCodes) return { sent: prev.sent, recoveryCodes: result.data.recoveryCodes };
    finish();
    return { sent: prev.sent, leaving: true };
  }, {});

  const resendIso = state.sent?.resendAt;
  const resendAt = useMemo(() => (resendIso ? new Date(resendIso) : null), [resendIso]);
  const wait = useCountdown(resendAt);
  const error = <ActionError error={state.error} stepUp={state.stepUp} next="/settings/security/add/email" boxed />;

  const step = state.recoveryCodes ? "recovery-codes" : state.sent ? "code" : "send";
  return (
    <div className="space-y-6" data-testid="email-wizard" data-step={step} data-ready={hydrated || undefined}>
      {state.recoveryCodes ? (
        <FactorAdded message="Email codes are on." codes={state.recoveryCodes} onFinish={finish} />
      ) : !state.sent ? (
        <WizardStep step={1} of={2} title="Send a code to your email" description="We'll check that your email reaches you before turning this on.">
          <div className="space-y-4">
            <p className="text-sm text-slate-700">
              Codes go to <span className="font-medium text-slate-900">{email}</span>, the email address on your account.
            </p>
            <Alert tone="warning">
              Email is convenient but less secure than an authenticator app or security key — if someone gets into your email, they get your codes too.
              {onlyFactor && (
                <span className="mt-2 block" data-testid="email-only-note">
                  If you use only email, resetting your password by email will need a recovery code at the next sign-in — add an authenticator app or a
                  security key too.
                </span>
              )}
            </Alert>
            <form action={action} className="space-y-4" noValidate>
              <input type="hidden" name="intent" value="send" />
              {error}
              <SubmitButton pendingText="Sending…">Send code</SubmitButton>
            </form>
          </div>
        </WizardStep>
      ) : (
        <WizardStep step={2} of={2} title="Enter the code" description={`We sent a 6-digit code to ${state.sent.sentTo}. It expires in 10 minutes.`}>
          <div className="space-y-4">
            {state.notice && <Alert tone="success">{state.notice}</Alert>}
            {error}
            <form action={action} className="space-y-4" noValidate>
              <input type="hidden" name="intent" value="verify" />
              <CodeField error={state.fieldErrors?.code?.[0]} />
              <SubmitButton className="w-full sm:w-auto" disabled={pending} pending={state.leaving} pendingText="Verifying…">
                Verify and turn on
              </SubmitButton>
            </form>
            <form action={action} className="border-t border-slate-100 pt-4">
              <input type="hidden" name="intent" value="send" />
              <p className="mb-2 text-sm text-slate-600">Didn&apos;t get it? Check your spam folder, or send a new code.</p>
              <SubmitButton variant="secondary" disabled={pending || state.leaving || wait > 0} pendingText="Sending…">
                {wait > 0 ? `Resend code in ${wait}s` : "Resend code"}
              </SubmitButton>
            </form>
          </div>
        </WizardStep>
      )}
    </div>
  );
}
