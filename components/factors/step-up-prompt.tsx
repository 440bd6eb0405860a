"use client";

import { useRouter } from "next/navigation";
import { sendStepUpCodeAction, stepUpWebAuthnOptions, verifyStepUpCode, verifyStepUpWebAuthn } from "@/app/(dashboard)/settings/security/confirm/actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import type { PromptMethod } from "@/lib/factors/prompt-types";
import { SecondFactorPrompt } from "./second-factor-prompt";

const actions = {
  verifyCode: (method: Parameters<typeof verifyStepUpCode>[0], code: string) => verifyStepUpCode(method, code),
  sendCode: sendStepUpCodeAction,
  webauthnOptions: stepUpWebAuthnOptions,
  verifyWebAuthn: (response: string) => verifyStepUpWebAuthn(response),
};

/**
 * Re-entering a second factor before a sensitive change; then back to `next`, or — where the
 * change waits on the same page (a form full of edits) — `onVerified` instead.
 */
export function StepUpPrompt({ methods, recoveryCodesLeft, next, onVerified }: { methods: PromptMethod[]; recoveryCodesLeft: number; next: string; onVerified?: () => void }) {
  const router = useRouter();
  const hydrated = useHydrated();
  return (
    <div data-ready={hydrated || undefined}>
      <SecondFactorPrompt
        methods={methods}
        recoveryCodesLeft={recoveryCodesLeft}
        actions={actions}
        onVerified={() => {
          if (onVerified) return onVerified();
          router.replace(next);
          router.refresh();
        }}
        onRestart={() => router.replace(`/sign-in?callbackUrl=${encodeURIComponent(next)}`)}
      />
    </div>
  );
}
