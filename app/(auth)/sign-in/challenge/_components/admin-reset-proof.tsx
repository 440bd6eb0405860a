"use client";

import { useState, useTransition } from "react";
import { sendAdminResetCodeAction, verifyAdminResetCode } from "../actions";
import { CodeField } from "@/components/factors/code-field";
import { useCountdown } from "@/components/factors/use-countdown";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

const RESEND_COOLDOWN_MS = 30_000;

type Props = {
  /** "ready": the member still has factors and chose "Lost your factors?"; "required": a reset was used and nothing enrolled since. */
  mode: "ready" | "required";
  /** A code already sent for this sign-in: where to, and when. */
  initialSent?: { to: string; at: string };
  onVerified: () => Promise<void>;
  onRestart: () => void;
  /** Back to the member's own methods (ready mode). */
  onBack?: () => void;
};

/**
 * The out-of-band step after an admin reset: a code sent to the account's own address, asked
 * after the password, before the old factors are removed (ready) or before any sign-in
 * completes while no new factor is enrolled (required).
 */
export function AdminResetProof({ mode, initialSent, onVerified, onRestart, onBack }: Props) {
  const [sentTo, setSentTo] = useState(initialSent?.to);
  const [resendAt, setResendAt] = useState<Date | null>(initialSent ? new Date(new Date(initialSent.at).getTime() + RESEND_COOLDOWN_MS) : null);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [restart, setRestart] = useState(false);
  const [verified, setVerified] = useState(false);
  const [pending, startTransition] = useTransition();
  const wait = useCountdown(resendAt);

  function send() {
    setError(undefined);
    setNotice(undefined);
    startTransition(async () => {
      const result = await sendAdminResetCodeAction();
      if (!result.ok) {
        setError(result.error);
        if (result.restart) setRestart(true);
        if (result.retryAfterSeconds) setResendAt(new Date(Date.now() + result.retryAfterSeconds * 1000));
        return;
      }
      if (sentTo) setNotice(`We sent a new code to ${result.sentTo}.`);
      setSentTo(result.sentTo);
      setResendAt(new Date(result.resendAt));
    });
  }

  function submit(formData: FormData) {
    setError(undefined);
    startTransition(async () => {
      const answer = await verifyAdminResetCode(String(formData.get("code") ?? ""));
      if (answer.ok) {
        setVerified(true);
        return onVerified();
      }
      setError(answer.error);
      if (answer.restart) setRestart(true);
    });
  }

  if (restart) {
    return (
      <div className="space-y-4">
        <Alert tone="error">{error}</Alert>
        <Button type="button" className="w-full" onClick={onRestart}>
          Sign in again
        </Button>
      </div>
    );
  }

  return (
    <div className="space-y-5" data-testid="admin-reset-proof">
      <div>
        <h2 className="text-lg font-semibold">{mode === "ready" ? "Your admin reset your two-factor authentication" : "Confirm it's you by email"}</h2>
        <div className="mt-1 space-y-2 text-sm text-slate-600">
          {mode === "ready" ? (
            <>
              <p>If you lost your second factors, we&apos;ll email a 6-digit code to your account&apos;s address.</p>
              <p>
                Entering it removes your old second factors, recovery codes and remembered devices, and signs out your other sessions. You&apos;ll
                set up a new second factor right after.
              </p>
            </>
          ) : (
            <p>
              Your two-factor authentication was reset and no new second factor is set up yet, so every sign-in asks for a code sent to your
              account&apos;s address. Then set up a new factor.
            </p>
          )}
          {sentTo && <p className="font-medium text-slate-800">We sent a 6-digit code to {sentTo}. It expires in 10 minutes.</p>}
        </div>
      </div>

      {notice && !error && <Alert tone="success">{notice}</Alert>}
      {error && <Alert tone="error">{error}</Alert>}

      {sentTo ? (
        <form action={submit} className="space-y-4">
          <CodeField label="Code from the email" />
          <Button type="submit" className="w-full" pending={pending || verified} pendingText="Verifying…">
            {mode === "ready" ? "Verify and reset" : "Verify"}
          </Button>
        </form>
      ) : (
        <Button type="button" className="w-full" pending={pending} pendingText="Sending…" onClick={send}>
          Email me a code
        </Button>
      )}

      {(sentTo || onBack) && (
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
          {sentTo && (
            <button type="button" className="font-medium text-indigo-700 hover:underline disabled:text-slate-500 disabled:no-underline" disabled={wait > 0 || pending} onClick={send}>
              {wait > 0 ? `Resend code in ${wait}s` : "Resend code"}
            </button>
          )}
          {onBack && (
            <button type="button" className="font-medium text-indigo-700 hover:underline" onClick={onBack}>
              I still have my factors
            </button>
          )}
        </div>
      )}
    </div>
  );
}
