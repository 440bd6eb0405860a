"use client";

import { useRef, useState, type FormEvent } from "react";
import { savePolicyAction, type AffectedMembers, type PolicyValues } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { FactorKind } from "@/lib/db/schema";
import { CONFIRM_BUTTON_ID, PolicyConfirm } from "./policy-confirm";
import { PolicyMethodsCard } from "./policy-methods-card";
import { KINDS, type Field } from "./policy-options";
import { PolicyPreview, previewKey, useAffectedMembers } from "./policy-preview";
import { PolicyRequireCard } from "./policy-require-card";
import { PolicyDefaultMethodCard, PolicyRememberCard, PolicySessionsCard } from "./policy-select-cards";
import { PolicyStepUp, type StepUpMethods } from "./policy-step-up";
import { TeamChangeError } from "@/components/teams/team-change-error";
import { useStepUpRetry } from "@/components/teams/use-step-up-retry";

/** Blocks members at once: required with no grace period. */
const blocksAtOnce = (p: PolicyValues) => p.requireTwoFactor && p.graceDays === 0;

type Props = {
  teamId: string;
  /** The policy as saved (refreshed after each save). */
  saved: PolicyValues;
  /** Since when the saved requirement applies and when its grace ends, in words; null while it is off. */
  requireStatus: string | null;
  /** Who the saved policy stops, rendered on the server. */
  affected: AffectedMembers;
  youId: string;
  /** The admin's own factors, for confirming it's them before a save. */
  stepUp: StepUpMethods;
};

/** Team → Security: the team's 2FA policy, edited in one form and saved in one action. */
export function PolicyForm({ teamId, saved, requireStatus, affected: initialAffected, youId, stepUp }: Props) {
  const hydrated = useHydrated();
  const [values, setValues] = useState<PolicyValues>(saved);
  // Fields changed since the last save attempt: their old error no longer describes them.
  const [edited, setEdited] = useState<ReadonlySet<Field>>(new Set());
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  // A save refused for want of a fresh second factor waits while the admin confirms it's them.
  const {
    state,
    submit: save,
    pending: saving,
    dialog: stepUpDialog,
    confirming,
    askStepUp,
  } = useStepUpRetry<{ policy: PolicyValues }>(
    async (prev, formData) => {
      setEdited(new Set());
      return savePolicyAction(prev, formData);
    },
    (result) => {
      if (result.ok && result.data) setValues(result.data.policy);
    },
  );

  const set = <K extends Field>(field: K, value: PolicyValues[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    setEdited((e) => new Set(e).add(field));
  };
  const error = (field: Field) => (edited.has(field) ? undefined : state.fieldErrors?.[field]?.[0]);

  const affected = useAffectedMembers(teamId, values.allowedMethods, values.smsBackupOnly, {
    key: previewKey(saved.allowedMethods, saved.smsBackupOnly),
    data: initialAffected,
  });

  const allowed = (kind: FactorKind) => values.allowedMethods.includes(kind);

  // The default is chosen among the allowed methods; when the admin's choice stops being one,
  // the form proposes the strongest left (KINDS is strongest first: the app before email, whose
  // mailbox also resets the password) and says so, keeping the choice for if it returns.
  const defaultChoices = KINDS.filter((k) => allowed(k) && !(k === "sms" && values.smsBackupOnly));
  const defaultMethod = defaultChoices.includes(values.defaultMethod) ? values.defaultMethod : defaultChoices[0];

  const sameMethods = previewKey(values.allowedMethods, values.smsBackupOnly) === previewKey(saved.allowedMethods, saved.smsBackupOnly);
  const wouldBlock = blocksAtOnce(values) && values.allowedMethods.length > 0 && !(blocksAtOnce(saved) && sameMethods);
  const needsConfirm = wouldBlock && (affected.loading || Boolean(affected.error) || (affected.data?.total ?? 0) > 0);

  // Submitted by hand rather than through <form action>: React resets a form after its action,
  // which would put the checkboxes back to their first state while the edited values stay.
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (saving) return;
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    if (needsConfirm && submitter?.id !== CONFIRM_BUTTON_ID) {
      dialog.current?.showModal();
      cancel.current?.focus();
      return;
    }
    dialog.current?.close();
    const formData = new FormData(event.currentTarget);
    save(formData);
  }

  const dirty = !samePolicy(normalized({ ...values, defaultMethod: defaultMethod ?? values.defaultMethod }), normalized(saved));
  // Once every field it complained about has been changed, the summary has nothing left to point at.
  const fieldsInError = Object.keys(state.fieldErrors ?? {}).filter((key): key is Field => key in saved);
  const fieldMessages = fieldsInError.some((field) => error(field));
  const failed = !state.ok && (fieldsInError.length > 0 ? fieldMessages : Boolean(state.error ?? state.fieldErrors?.teamId));

  return (
    <>
      <form onSubmit={onSubmit} className="space-y-6" noValidate data-ready={hydrated || undefined} aria-label="Two-factor policy">
        <input type="hidden" name="teamId" value={teamId} />

        <PolicyRequireCard values={values} set={set} error={error} requireStatus={requireStatus}>
          <PolicyPreview
            teamId={teamId}
            allowedMethods={values.allowedMethods}
            smsBackupOnly={values.smsBackupOnly}
            requireTwoFactor={values.requireTwoFactor}
            graceDays={values.graceDays}
            affected={affected}
            youId={youId}
          />
        </PolicyRequireCard>

        <PolicyMethodsCard values={values} set={set} error={error} />

        <div className="grid gap-6 md:grid-cols-2">
          <PolicyDefaultMethodCard values={values} set={set} error={error} defaultMethod={defaultMethod} defaultChoices={defaultChoices} />
          <PolicyRememberCard values={values} set={set} error={error} savedDays={saved.rememberDeviceDays} />
        </div>

        <PolicySessionsCard values={values} set={set} error={error} />

        <div className="flex flex-wrap items-center gap-3">
          {/* Before hydration the form has no handler yet, and a plain submit would skip the confirmation. */}
          <Button type="submit" pending={saving} pendingText="Saving…" disabled={!hydrated}>
            Save policy
          </Button>
          {state.ok && !dirty && <Alert tone="success">Policy saved.</Alert>}
          {failed && (
            <TeamChangeError
              state={state}
              confirming={confirming}
              stepUpText="The policy was not saved: changing it needs your second factor again."
              confirm={{ type: "button", onConfirm: askStepUp }}
            >
              {fieldMessages ? "The policy was not saved. Check the fields marked above." : (state.error ?? state.fieldErrors?.teamId?.[0])}
            </TeamChangeError>
          )}
        </div>

        <PolicyConfirm dialogRef={dialog} cancelRef={cancel} affected={affected.loading ? undefined : affected.data} youId={youId} saving={saving} />
      </form>
      {/* Outside the form: the prompt has forms of its own, and forms do not nest. */}
      <PolicyStepUp {...stepUpDialog} stepUp={stepUp} />
    </>
  );
}

/** The policy as the server would store it, to tell whether the form differs from what is saved. */
function normalized(p: PolicyValues): PolicyValues {
  const allowedMethods = KINDS.filter((k) => p.allowedMethods.includes(k));
  return { ...p, allowedMethods, smsBackupOnly: p.smsBackupOnly && allowedMethods.includes("sms") };
}

const samePolicy = (a: PolicyValues, b: PolicyValues) => (Object.keys(a) as Field[]).every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
