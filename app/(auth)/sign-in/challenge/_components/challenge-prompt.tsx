"use client";

import {
  challengeWebAuthnOptionsAction,
  sendChallengeCodeAction,
  verifyChallengeCode,
  verifyChallengeWebAuthn,
} from "../actions";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { SecondFactorPrompt } from "@/components/factors/second-factor-prompt";
import type { PromptMethod } from "@/lib/factors/prompt-types";
import { AdminResetProof } from "./admin-reset-proof";
import { useHydrated } from "@/components/auth/use-hydrated";
import { exchangeForSession } from "@/components/auth/use-sign-in-action";

const actions = {
  verifyCode: verifyChallengeCode,
  sendCode: sendChallengeCodeAction,
  webauthnOptions: challengeWebAuthnOptionsAction,
  verifyWebAuthn: verifyChallengeWebAuthn,
};

type Props = {
  methods: PromptMethod[];
  recoveryCodesLeft: number;
  callbackUrl: string;
  initialSent?: { to: string; at: string };
  rememberDays: number;
  /** The emailed-code step after an admin reset, when this sign-in offers it (lib/auth/admin-reset.ts). */
  adminReset: "ready" | "required" | null;
  adminResetSent?: { to: string; at: string };
};

/** The sign-in challenge: once the factor checks out, the challenge is exchanged for a session. */
export function ChallengePrompt({ callbackUrl, adminReset, adminResetSent, ...props }: Props) {
  const hydrated = useHydrated();
  const router = useRouter();
  // A code already sent (a reload) reopens the reset step where the person left it.
  const [lost, setLost] = useState(adminReset === "required" || (adminReset === "ready" && Boolean(adminResetSent)));
  const restart = () => router.replace(`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`);

  if (adminReset && lost) {
    return (
      <div data-ready={hydrated || undefined}>
        <AdminResetProof
          mode={adminReset}
          initialSent={adminResetSent}
          onRestart={restart}
          onBack={adminReset === "ready" ? () => setLost(false) : undefined}
          onVerified={async () => {
            if (!(await exchangeForSession())) return router.replace("/sign-in?error=expired");
            // No factor is left: the policy gate (SETUP_PATH) would send them there from anywhere.
            router.replace("/setup-2fa");
            router.refresh();
          }}
        />
      </div>
    );
  }

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
        onRestart={restart}
      />
      {adminReset === "ready" && (
        <button type="button" className="mt-5 w-full rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-left text-sm text-amber-900 hover:bg-amber-100" onClick={() => setLost(true)}>
          <span className="font-medium">Lost your factors?</span> Your admin reset your two-factor authentication.
        </button>
      )}
    </div>
  );
}
