"use client";

import { startTransition, useActionState, useEffect, useState } from "react";
import { previewPolicyAction, sendRemindersAction, type AffectedMembers } from "../actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { FactorKind } from "@/lib/db/schema";
import { memberNames, membersHave } from "@/components/teams/policy-names";

/** One key per previewed policy: the methods in a fixed order and "backup only". */
export const previewKey = (allowedMethods: FactorKind[], smsBackupOnly: boolean) =>
  `${[...allowedMethods].sort().join(",")}|${smsBackupOnly && allowedMethods.includes("sms")}`;

function editedPolicyForm(teamId: string, key: string): FormData {
  const [methods = "", backupOnly = "false"] = key.split("|");
  const form = new FormData();
  form.set("teamId", teamId);
  form.set("allowedMethods", methods);
  form.set("smsBackupOnly", backupOnly);
  return form;
}

export type Affected = {
  /** The members for the policy as edited now, or (while that loads) for the last one answered. */
  data?: AffectedMembers;
  /** `data` is not yet for the policy as edited now. */
  loading: boolean;
  error?: string;
};

/** How long the admin may pause between clicks before the preview is asked for. */
const DEBOUNCE_MS = 300;

/**
 * Who the policy being edited would stop, asked of the server a moment after the methods
 * change. Answers are kept per policy, so toggling back shows the earlier answer at once.
 */
export function useAffectedMembers(teamId: string, allowedMethods: FactorKind[], smsBackupOnly: boolean, initial: { key: string; data: AffectedMembers }): Affected {
  const key = previewKey(allowedMethods, smsBackupOnly);
  const [answers, setAnswers] = useState<Record<string, { data?: AffectedMembers; error?: string }>>({ [initial.key]: { data: initial.data } });
  const [lastKey, setLastKey] = useState(initial.key);
  const empty = allowedMethods.length === 0;

  useEffect(() => {
    if (empty || answers[key]) return;
    let current = true;
    const timer = setTimeout(async () => {
      const result = await previewPolicyAction({}, editedPolicyForm(teamId, key));
      if (!current) return;
      const answer = result.ok && result.data ? { data: result.data } : { error: result.error ?? "Could not check who would be affected. Try again." };
      setAnswers((all) => ({ ...all, [key]: answer }));
      setLastKey(key);
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [teamId, key, empty, answers]);

  const answer = answers[key];
  return { data: answer?.data ?? answers[lastKey]?.data, loading: !empty && !answer, error: answer?.error };
}

type Props = {
  teamId: string;
  allowedMethods: FactorKind[];
  smsBackupOnly: boolean;
  requireTwoFactor: boolean;
  graceDays: number;
  affected: Affected;
  youId: string;
};

/** The affected members under the policy being edited, and a button to email them a reminder. */
export function PolicyPreview({ teamId, allowedMethods, smsBackupOnly, requireTwoFactor, graceDays, affected, youId }: Props) {
  const key = previewKey(allowedMethods, smsBackupOnly);
  const [reminder, remind, sending] = useActionState<{ key?: string; sent?: number; error?: string }, string>(async (_prev, forKey) => {
    const result = await sendRemindersAction({}, editedPolicyForm(teamId, forKey));
    return result.ok && result.data ? { key: forKey, sent: result.data.sent } : { key: forKey, error: result.error ?? "The reminder was not sent. Try again." };
  }, {});

  if (allowedMethods.length === 0) {
    return <p className="text-sm text-slate-600">Allow at least one method to see who would be affected.</p>;
  }
  const { data, loading, error } = affected;
  const total = data?.total ?? 0;
  const consequence = !requireTwoFactor
    ? "If you require two-factor authentication, they will have to set one up before they can use this team."
    : graceDays > 0
      ? `They will have ${graceDays} days to set one up, with a banner counting down, and will then be blocked until they do.`
      : "They will be blocked until they set one up.";

  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-4" data-testid="policy-preview" aria-busy={loading || undefined}>
      <div aria-live="polite" className={loading ? "opacity-60 transition-opacity" : undefined}>
        {error ? (
          <p className="text-sm text-red-700">{error}</p>
        ) : !data ? (
          <p className="text-sm text-slate-600">Checking who would be affected…</p>
        ) : total === 0 ? (
          <p className="text-sm text-slate-700">Every member has a second factor that this policy accepts.</p>
        ) : (
          <>
            <p className="text-sm font-semibold text-slate-900" data-testid="affected-count">
              {membersHave(total)} no second factor that this policy accepts
            </p>
            <p className="mt-1 text-sm text-slate-700" data-testid="affected-names">
              {memberNames(data.members, total, youId)}
            </p>
            <p className="mt-1 text-sm text-slate-600">{consequence}</p>
          </>
        )}
        {loading && data && <p className="sr-only">Updating…</p>}
      </div>
      {data && total > 0 && !error && (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <Button type="button" variant="secondary" className="px-3 py-1.5" pending={sending} pendingText="Sending…" disabled={loading} onClick={() => startTransition(() => remind(key))}>
            Email them a reminder
          </Button>
          {reminder.key === key && reminder.sent !== undefined && (
            <Alert tone="success">{reminder.sent === 1 ? "Sent to 1 member." : `Sent to ${reminder.sent} members.`}</Alert>
          )}
          {reminder.key === key && reminder.error && <Alert tone="error">{reminder.error}</Alert>}
        </div>
      )}
    </div>
  );
}
