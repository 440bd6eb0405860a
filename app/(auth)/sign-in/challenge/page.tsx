import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ChallengePrompt } from "./_components/challenge-prompt";
import { readChallengeCookie } from "@/lib/auth/cookies";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { Alert } from "@/components/ui/alert";
import { describeChallenge, EMAIL_SUSPENDED_REASON } from "@/lib/auth/second-factor";
import { SECOND_STEP_BLOCKED_MESSAGE } from "@/lib/auth/second-step-guard";

export const metadata: Metadata = { title: "Two-factor authentication" };

type Props = { searchParams: Promise<{ callbackUrl?: string }> };

export default async function ChallengePage({ searchParams }: Props) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl);
  const challenge = await describeChallenge(await readChallengeCookie());
  if (!challenge) redirect(`/sign-in?error=expired&callbackUrl=${encodeURIComponent(callbackUrl)}`);
  const methods = challenge.methods.map(({ kind, label, hint }) => ({ kind, label, hint }));
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="sr-only">Two-factor authentication</h1>
      {challenge.blocked && !challenge.adminReset ? (
        // Nothing to try: the block lifts only through the emailed link or an admin reset.
        <div data-testid="second-step-blocked">
          <Alert tone="error">{SECOND_STEP_BLOCKED_MESSAGE}</Alert>
        </div>
      ) : (
        <div className="space-y-4">
          {challenge.blocked && (
            <div data-testid="second-step-blocked">
              <Alert tone="error">{SECOND_STEP_BLOCKED_MESSAGE}</Alert>
            </div>
          )}
          {challenge.emailSuspended && (
            <div data-testid="email-suspended">
              <Alert tone="warning">
                {EMAIL_SUSPENDED_REASON}{" "}
                {methods.length > 0
                  ? "Use another of your methods, or a recovery code."
                  : challenge.recoveryCodesLeft > 0
                    ? "Enter one of your recovery codes."
                    : "You have no recovery codes left: ask a team admin to reset your two-factor authentication."}
              </Alert>
            </div>
          )}
          <ChallengePrompt
            methods={methods}
            recoveryCodesLeft={challenge.recoveryCodesLeft}
            callbackUrl={callbackUrl}
            initialSent={challenge.codeSent && { to: challenge.codeSent.to, at: challenge.codeSent.at.toISOString() }}
            rememberDays={challenge.rememberDays}
            adminReset={challenge.adminReset}
            adminResetSent={challenge.adminResetSent && { to: challenge.adminResetSent.to, at: challenge.adminResetSent.at.toISOString() }}
          />
        </div>
      )}
      <p className="mt-6 border-t border-slate-100 pt-4 text-center text-sm text-slate-600">
        Not you?{" "}
        <Link href="/sign-in" className="font-medium text-indigo-700 hover:underline">
          Sign in with another account
        </Link>
      </p>
    </div>
  );
}
