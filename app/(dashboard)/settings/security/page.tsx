import type { Metadata } from "next";
import { revokeTrustedDeviceAction, signOutSessionAction, turnOffTwoFactorAction } from "./actions";
import { SignOutOthersForm } from "./_components/sign-out-others-form";
import { SignOutOthersOffer } from "./_components/sign-out-others-offer";
import { RecentActivity } from "@/components/security/recent-activity";
import { ActionButton } from "@/components/factors/action-button";
import { RegenerateCodes } from "@/components/factors/regenerate-codes";
import { TwoFactorCard } from "@/components/factors/two-factor-card";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/current-user";
import { userPolicy } from "@/lib/auth/policy-gate";
import { addableKinds } from "@/lib/factors/policy-rules";
import { listNames } from "@/lib/format/list";
import { listSessions, offerSignOutOthers, sessionLimits } from "@/lib/auth/sessions";
import { listFactors } from "@/lib/factors";
import { FACTOR_NAMES } from "@/lib/factors/registry";
import { countRecoveryCodes, RECOVERY_CODE_COUNT } from "@/lib/factors/recovery/recovery-codes";
import { listTrustedDevices } from "@/lib/factors/trusted-devices";
import { formatTime } from "@/lib/format/time";
import { describeUserAgent } from "@/lib/format/user-agent";
import { durationPhrase } from "@/lib/format/wait";

export const metadata: Metadata = { title: "Security" };

type Props = { searchParams: Promise<{ added?: string; changed?: string; recovery_codes_left?: string }> };

export default async function SecurityPage({ searchParams }: Props) {
  const user = await requireUser();
  const params = await searchParams;
  const [factors, codesLeft, devices, sessions, policy, limits, offer] = await Promise.all([
    listFactors(user.id),
    countRecoveryCodes(user.id),
    listTrustedDevices(user.id),
    listSessions(user.id, user.sessionId),
    userPolicy(user.id),
    sessionLimits(user.id),
    offerSignOutOthers(user.id, user.sessionId),
  ]);
  const on = factors.length > 0;
  const others = sessions.filter((s) => !s.current).length;
  const added = params.added && params.added in FACTOR_NAMES ? FACTOR_NAMES[params.added as keyof typeof FACTOR_NAMES] : undefined;
  const codesLeftAfterUse = params.recovery_codes_left !== undefined ? Number.parseInt(params.recovery_codes_left, 10) : undefined;

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Security</h1>
      {added && <Alert tone="success">{added} added. You&apos;ll be asked for it the next time you sign in.</Alert>}
      {params.changed === "phone" && <Alert tone="success">Phone number changed. Text-message codes now go to the new number.</Alert>}
      <SignOutOthersOffer show={offer} />
      {codesLeftAfterUse !== undefined && Number.isFinite(codesLeftAfterUse) && (
        <Alert tone="warning">
          You signed in with a recovery code. You have {codesLeft} left — generate a new set below if you are running low.
        </Alert>
      )}

      {policy.required && (
        <Alert tone="info">
          {listNames(policy.requiredBy.map((t) => t.name))} requires two-factor authentication
          {policy.allowedMethods.length < 4 ? ` and allows ${listNames(policy.allowedMethods.map((k) => FACTOR_NAMES[k].toLowerCase()))}` : ""}
          {policy.smsBackupOnly ? " (text messages as a backup only)" : ""}.
        </Alert>
      )}

      <TwoFactorCard factors={factors} addable={addableKinds(policy)} />

      {on && (
        <Card
          title="Recovery codes"
          description="Each code signs you in once when you can't use your second factor. Generating new codes makes the old ones stop working."
        >
          <p className="mb-3 text-sm text-slate-700" data-testid="recovery-codes-left">
            {codesLeft} of {RECOVERY_CODE_COUNT} codes left.
          </p>
          <RegenerateCodes />
        </Card>
      )}

      {(on || devices.length > 0) && (
        <Card title="Remembered devices" description="These browsers skip the second factor when you sign in. Revoke any you no longer use.">
          {devices.length === 0 ? (
            <p className="text-sm text-slate-600">No remembered devices. Tick “Remember this device” when you sign in to add one.</p>
          ) : (
            <>
              <ul className="divide-y divide-slate-100" aria-label="Remembered devices">
                {devices.map((device) => (
                  <li key={device.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                    <span>
                      <span className="font-medium text-slate-800">{describeUserAgent(device.userAgent)}</span>
                      <span className="block text-slate-600">
                        Last seen {formatTime(device.lastSeenAt)} · until {formatTime(device.expiresAt)}
                      </span>
                    </span>
                    <ActionButton action={revokeTrustedDeviceAction} fields={{ deviceId: device.id }} label="Revoke" pendingText="Revoking…" />
                  </li>
                ))}
              </ul>
              <div className="mt-3 border-t border-slate-100 pt-3">
                <ActionButton action={revokeTrustedDeviceAction} fields={{ deviceId: "all" }} label="Revoke all" pendingText="Revoking…" />
              </div>
            </>
          )}
        </Card>
      )}

      <Card
        title="Where you're signed in"
        description={`Sign out any session you don't recognise. A session ends after ${durationPhrase(limits.idleMinutes)} without activity and ${durationPhrase(limits.maxHours * 60)} after signing in.`}
        footer={<SignOutOthersForm others={others} />}
      >
        <ul className="divide-y divide-slate-100" aria-label="Active sessions">
          {sessions.map((session) => {
            const browser = describeUserAgent(session.userAgent);
            return (
              <li key={session.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                <span className="min-w-0">
                  <span className="font-medium text-slate-800">
                    {browser}
                    {session.current && <span className="ml-2 rounded-full bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800">This device</span>}
                  </span>
                  <span className="block text-slate-600">
                    {session.ip ?? "Unknown IP address"} · Signed in {formatTime(session.createdAt)} · Last active {formatTime(session.lastActiveAt)}
                  </span>
                </span>
                {!session.current && (
                  <ActionButton
                    action={signOutSessionAction}
                    fields={{ sessionId: session.id }}
                    label="Sign out"
                    ariaLabel={`Sign out ${browser}, signed in ${formatTime(session.createdAt)}`}
                    pendingText="Signing out…"
                  />
                )}
              </li>
            );
          })}
        </ul>
      </Card>

      <RecentActivity userId={user.id} />

      {on && (
        <Card
          title="Turn off two-factor authentication"
          description="Removes every second factor, recovery code and remembered device, and signs out your other sessions. Your password alone will sign you in."
        >
          <ActionButton action={turnOffTwoFactorAction} label="Turn off two-factor authentication" pendingText="Turning off…" variant="danger" />
        </Card>
      )}
    </div>
  );
}
