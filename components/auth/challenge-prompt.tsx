"use client";

import {
  challengeWebAuthnOptionsAction,
  sendChallengeCodeAction,
  verifyChallengeCode,
  verifyChallengeWebAuthn,
} from "@/app/(auth)/sign-in/challenge/actions";
import { useRouter } from "next/navigation";
import { SecondFactorPrompt } from "@/components/factors/second-factor-prompt";
import type { PromptMethod } from "@/lib/factors/prompt-types";
import { useHydrated } from "./use-hydrated";
import { exchangeForSession } from "./use-sign-in-action";

const actions = {
  verifyCode: verifyChallengeCode,
  sendCode: sendChallengeCodeAction,
  webauthnOptions: challengeWebAuthnOptionsAction,
  verifyWebAuthn: verifyChallengeWebAuthn,
};

type Props = { methods: PromptMethod[]; recoveryCodesLeft: number; callbackUrl: string; initialSent?: { to: string; at: string }; rememberDays: number };

/** The sign-in challenge: once the factor checks out, the challenge is exchanged for a session. */
export function ChallengePrompt({ callbackUrl, ...props }: Props) {
  const hydrated = useHydrated();
  const router = useRouter();
  return (
    <div data-ready={hydrated || undefined}>
      <SecondFactorPrompt
        {...props}
        actions={actions}
        onVerified={async ({ remainingRecoveryCodes }) => {
          // After a recovery code, land where the user can see how many are left and renew them.
          const target = remainingRecoveryCodes === undefined ? callbackUrl : `/settings/security?recovery_codes_left=${remainingRecoveryCodes}`;
          if (!(await exchangeForSession())) return router.replace("/sign-in?error=expired");
          router.replace(target);
          router.refresh();
        }}
        onRestart={() => router.replace(`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`)}
      />
    </div>
  );
}
