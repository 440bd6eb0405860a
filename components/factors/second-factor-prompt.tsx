"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FACTORS } from "@/lib/factors/registry";
import type { CodeMethod, PromptActions, PromptMethod, VerifyAnswer } from "@/lib/factors/prompt-types";
import { CodeField } from "./code-field";
import { OtherMethods } from "./prompt-other-methods";
import { RememberDevice } from "./prompt-remember-device";
import { SecurityKeyButton } from "./prompt-security-key-button";
import { useCountdown } from "./use-countdown";

type Mode = PromptMethod["kind"] | "recovery_code";

const RESEND_COOLDOWN_MS = 30_000;

const RECOVERY = { title: "Enter a recovery code", switchLabel: "Use a recovery code" };

/** The prompt's copy for a mode: its kind's record, or the recovery code's. */
const promptOf = (mode: Mode) => (mode === "recovery_code" ? RECOVERY : FACTORS[mode].prompt);

type Props = {
  methods: PromptMethod[];
  recoveryCodesLeft: number;
  actions: PromptActions;
  /** A code the server already sent for the default method: where to, and when. */
  initialSent?: { to: string; at: string };
  /** Offer "Remember this device" (sign-in only). */
  rememberDays?: number;
  onVerified: (answer: Extract<VerifyAnswer, { ok: true }>) => Promise<void> | void;
  onRestart?: () => void;
};

/**
 * Asks for a second factor in the default method first, and offers every other enrolled
 * one, a recovery code, resending with a countdown and, for SMS, a voice call.
 */
export function SecondFactorPrompt({ methods, recoveryCodesLeft, actions, initialSent, rememberDays, onVerified, onRestart }: Props) {
  const [mode, setMode] = useState<Mode>(methods[0]?.kind ?? "recovery_code");
  const [sentTo, setSentTo] = useState<Partial<Record<Mode, string>>>(initialSent ? { [methods[0]!.kind]: initialSent.to } : {});
  const [resendAt, setResendAt] = useState<Date | null>(initialSent ? new Date(new Date(initialSent.at).getTime() + RESEND_COOLDOWN_MS) : null);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [restart, setRestart] = useState(false);
  const [remember, setRemember] = useState(false);
  const [othersOpen, setOthersOpen] = useState(false);
  const [callInstead, setCallInstead] = useState(false);
  const [pending, startTransition] = useTransition();
  const [verified, setVerified] = useState(false);
  const wait = useCountdown(resendAt);

  const method = methods.find((m) => m.kind === mode);
  const others: Mode[] = [...methods.map((m) => m.kind).filter((k) => k !== mode), ...(mode !== "recovery_code" && recoveryCodesLeft > 0 ? ["recovery_code" as const] : [])];

  function handle(answer: VerifyAnswer) {
    if (answer.ok) {
      setVerified(true);
      return onVerified(answer);
    }
    setError(answer.error);
    if (answer.restart) setRestart(true);
  }

  function send(channel: "email" | "sms" | "voice") {
    setError(undefined);
    setNotice(undefined);
    startTransition(async () => {
      const result = await actions.sendCode(channel);
      if (!result.ok) {
        setError(result.error);
        if (result.restart) setRestart(true);
        if (result.unusable) setOthersOpen(true);
        if (result.callInstead) setCallInstead(true);
        if (result.retryAfterSeconds) setResendAt(new Date(Date.now() + result.retryAfterSeconds * 1000));
        return;
      }
      const kind = channel === "email" ? "email" : "sms";
      setSentTo((s) => ({ ...s, [kind]: result.sentTo }));
      setResendAt(new Date(result.resendAt));
      setNotice(channel === "voice" ? `Calling ${result.sentTo}. Answer to hear your code.` : `We sent a new code to ${result.sentTo}.`);
    });
  }

  function submitCode(formData: FormData) {
    setError(undefined);
    startTransition(async () => handle(await actions.verifyCode(mode as CodeMethod, String(formData.get("code") ?? ""), remember)));
  }

  function useSecurityKey() {
    setError(undefined);
    startTransition(async () => {
      const options = await actions.webauthnOptions();
      if (!options.ok) return handle(options);
      try {
        const response = await startAuthentication({ optionsJSON: options.options as Parameters<typeof startAuthentication>[0]["optionsJSON"] });
        await handle(await actions.verifyWebAuthn(JSON.stringify(response), remember));
      } catch {
        setError("The security key didn't answer, or the request was cancelled. Try again.");
      }
    });
  }

  /** " (a••@example.com)" — unless it would only repeat the method's name. */
  function hintFor(kind: Mode) {
    const hint = kind === "recovery_code" ? undefined : methods.find((m) => m.kind === kind)?.hint;
    return hint && kind !== "recovery_code" && hint !== FACTORS[kind].name ? ` (${hint})` : "";
  }

  function switchTo(next: Mode) {
    setMode(next);
    setOthersOpen(false);
    setError(undefined);
    setNotice(undefined);
  }

  if (restart) {
    return (
      <div className="space-y-4">
        <Alert tone="error">{error}</Alert>
        <Button type="button" className="w-full" onClick={() => onRestart?.()}>
          Sign in again
        </Button>
      </div>
    );
  }

  const codeSent = mode === "email" || mode === "sms" ? sentTo[mode] : undefined;
  const rememberBox = <RememberDevice days={rememberDays} checked={remember} onChange={setRemember} />;
  const busy = pending || verified;
  return (
    <div className="space-y-5" data-mode={mode}>
      <div>
        <h2 className="text-lg font-semibold">{promptOf(mode).title}</h2>
        <p className="mt-1 text-sm text-slate-600">
          {mode === "totp" && "Open your authenticator app and enter the 6-digit code it shows for Tessera."}
          {(mode === "email" || mode === "sms") && (codeSent ? `We sent a 6-digit code to ${codeSent}. It expires in 10 minutes.` : `We'll send a 6-digit code to ${method?.hint}.`)}
          {mode === "webauthn" && "Insert your security key or use your device's passkey, then follow its prompt."}
          {mode === "recovery_code" && `Each recovery code works once. You have ${recoveryCodesLeft} left.`}
        </p>
      </div>

      {notice && !error && <Alert tone="success">{notice}</Alert>}
      {error && <Alert tone="error">{error}</Alert>}

      {mode === "webauthn" ? (
        <div className="space-y-4">
          {rememberBox}
          <SecurityKeyButton onClick={useSecurityKey} pending={busy} />
        </div>
      ) : (mode === "email" || mode === "sms") && !codeSent ? (
        mode === "sms" && callInstead ? (
          // The number cannot get texts (a landline): the call is the way, not another text.
          <Button type="button" className="w-full" pending={pending} pendingText="Calling…" onClick={() => send("voice")}>
            Call me instead
          </Button>
        ) : (
          <Button type="button" className="w-full" pending={pending} pendingText="Sending…" onClick={() => send(mode)}>
            {FACTORS[mode].prompt.sends?.label}
          </Button>
        )
      ) : (
        <form action={submitCode} className="space-y-4" key={mode}>
          <CodeField recovery={mode === "recovery_code"} label={mode === "recovery_code" ? "Recovery code" : "6-digit code"} />
          {rememberBox}
          <Button type="submit" className="w-full" pending={busy} pendingText="Verifying…">
            Verify
          </Button>
        </form>
      )}

      {codeSent && (
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
          <button type="button" className="font-medium text-indigo-700 hover:underline disabled:text-slate-500 disabled:no-underline" disabled={wait > 0 || pending} onClick={() => send(mode === "sms" && callInstead ? "voice" : (mode as "email" | "sms"))}>
            {wait > 0 ? `Resend code in ${wait}s` : "Resend code"}
          </button>
          {mode === "sms" && (
            <button type="button" className="font-medium text-indigo-700 hover:underline disabled:text-slate-500 disabled:no-underline" disabled={wait > 0 || pending} onClick={() => send("voice")}>
              Didn&apos;t get it? Call me instead
            </button>
          )}
        </div>
      )}

      {others.length > 0 && <OtherMethods others={others} open={othersOpen} onOpenChange={setOthersOpen} label={(other) => `${promptOf(other).switchLabel}${hintFor(other)}`} onChoose={switchTo} />}
    </div>
  );
}
