"use client";

import { useRef, useState, type FormEvent } from "react";
import { savePolicyAction, type AffectedMembers, type PolicyValues } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { FactorIcon } from "@/components/factors/factor-icon";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { SWITCH_CLASS } from "@/components/ui/switch-class";
import type { FactorKind } from "@/lib/db/schema";
import { FACTOR_NAMES } from "@/lib/factors/kinds";
import { CONFIRM_BUTTON_ID, PolicyConfirm } from "./policy-confirm";
import { Choice, describedBy, FieldError, SelectField } from "./policy-fields";
import { PolicyPreview, previewKey, useAffectedMembers } from "./policy-preview";
import { PolicyStepUp, type StepUpMethods } from "./policy-step-up";
import { TeamChangeError } from "@/components/teams/team-change-error";
import { useStepUpRetry } from "@/components/teams/use-step-up-retry";

/** Strongest first: the order methods are offered in. */
const METHODS: { kind: FactorKind; note: string }[] = [
  { kind: "totp", note: "Codes from an app such as Google Authenticator, 1Password or Authy. Strong, and free." },
  { kind: "webauthn", note: "YubiKey, Touch ID, Windows Hello, passkeys. The strongest: it can't be phished." },
  { kind: "email", note: "Weaker: whoever can read the inbox gets the codes. Every member has an address, so there is nothing to set up." },
  {
    kind: "sms",
    note: "Weaker: NIST SP 800-63B calls SMS a restricted authenticator, because numbers can be hijacked or redirected. Members need a verified phone number.",
  },
];

const KINDS = METHODS.map((m) => m.kind);

const GRACE: { days: number; label: string }[] = [
  { days: 0, label: "None" },
  { days: 3, label: "3 days" },
  { days: 7, label: "7 days" },
  { days: 14, label: "14 days" },
];

const REMEMBER: { days: number; label: string }[] = [
  { days: 0, label: "Never — ask at every sign-in" },
  { days: 1, label: "1 day" },
  { days: 7, label: "1 week" },
  { days: 14, label: "14 days" },
  { days: 30, label: "30 days" },
  { days: 60, label: "60 days" },
];

const IDLE: { minutes: number; label: string }[] = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 30, label: "30 minutes" },
  { minutes: 60, label: "1 hour" },
];

const LIFETIME: { hours: number; label: string }[] = [
  { hours: 1, label: "1 hour" },
  { hours: 4, label: "4 hours" },
  { hours: 8, label: "8 hours" },
  { hours: 12, label: "12 hours" },
  { hours: 24, label: "24 hours" },
];

const rememberLabel = (days: number) => (days === 7 ? "1 week" : days === 1 ? "1 day" : `${days} days`);

type Field = keyof PolicyValues;

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
  const toggleMethod = (kind: FactorKind, on: boolean) => set("allowedMethods", KINDS.filter((k) => (k === kind ? on : allowed(k))));
  const smsAllowed = allowed("sms");

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
  const lowered = values.rememberDeviceDays < saved.rememberDeviceDays;
  const weakOnly = values.allowedMethods.length > 0 && !allowed("totp") && !allowed("webauthn");

  return (
    <>
      <form onSubmit={onSubmit} className="space-y-6" noValidate data-ready={hydrated || undefined} aria-label="Two-factor policy">
        <input type="hidden" name="teamId" value={teamId} />

        <Card title="Require two-factor authentication">
          <div className="space-y-5">
            <div className="flex items-start gap-3">
              <input
                type="checkbox"
                role="switch"
                id="requireTwoFactor"
                name="requireTwoFactor"
                value="on"
                checked={values.requireTwoFactor}
                onChange={(e) => set("requireTwoFactor", e.target.checked)}
                aria-describedby={describedBy("requireTwoFactor-note", error("requireTwoFactor") && "requireTwoFactor-error")}
                className={SWITCH_CLASS}
              />
              <div className="min-w-0">
                <label htmlFor="requireTwoFactor" className="block cursor-pointer text-sm font-medium text-slate-900">
                  Require two-factor authentication for all members
                </label>
                <p id="requireTwoFactor-note" className="text-sm text-slate-600">
                  Members without a second factor this policy accepts are sent to set one up at their next sign-in (or on their next page if already signed in)
                  and can use nothing else until they have.
                </p>
                {requireStatus && (
                  <p className="mt-1 text-sm text-slate-600" data-testid="require-status">
                    {requireStatus}
                  </p>
                )}
                <FieldError id="requireTwoFactor-error" error={error("requireTwoFactor")} />
              </div>
            </div>

            {/* A disabled fieldset sends nothing (hidden inputs inside it neither): the choice is kept for when the requirement is turned on. */}
            {!values.requireTwoFactor && <input type="hidden" name="graceDays" value={values.graceDays} />}
            <fieldset
              disabled={!values.requireTwoFactor}
              aria-describedby={describedBy("graceDays-note", error("graceDays") && "graceDays-error")}
              className="group"
            >
              <legend className="text-sm font-medium text-slate-900 group-disabled:text-slate-500">Grace period</legend>
              <p id="graceDays-note" className="text-sm text-slate-600">
                {values.requireTwoFactor
                  ? "Affected members can keep working this long after the requirement is turned on, with a banner counting down; then they are blocked until they set up 2FA."
                  : "Applies once the requirement is on."}
              </p>
              <div className="mt-2 flex flex-wrap gap-2">
                {GRACE.map(({ days, label }) => (
                  <label
                    key={days}
                    className="flex cursor-pointer items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-800 has-checked:border-indigo-500 has-checked:bg-indigo-50 has-disabled:cursor-not-allowed has-disabled:text-slate-500 has-focus-visible:ring-2 has-focus-visible:ring-indigo-500/40"
                  >
                    <input
                      type="radio"
                      name="graceDays"
                      value={days}
                      checked={values.graceDays === days}
                      onChange={() => set("graceDays", days)}
                      className="size-4 accent-indigo-600"
                    />
                    {label}
                  </label>
                ))}
              </div>
              <FieldError id="graceDays-error" error={error("graceDays")} />
            </fieldset>

            <PolicyPreview
              teamId={teamId}
              allowedMethods={values.allowedMethods}
              smsBackupOnly={values.smsBackupOnly}
              requireTwoFactor={values.requireTwoFactor}
              graceDays={values.graceDays}
              affected={affected}
              youId={youId}
            />
          </div>
        </Card>

        <Card title="Allowed methods" description="Members can set up and sign in with these. Enrollment offers only these methods.">
          <fieldset aria-describedby={describedBy(error("allowedMethods") && "allowedMethods-error")}>
            <legend className="sr-only">Allowed methods</legend>
            <ul className="space-y-4">
              {METHODS.map(({ kind, note }) => (
                <li key={kind}>
                  <Choice
                    type="checkbox"
                    id={`method-${kind}`}
                    name="allowedMethods"
                    value={kind}
                    checked={allowed(kind)}
                    onChange={(e) => toggleMethod(kind, e.target.checked)}
                    aria-invalid={error("allowedMethods") ? true : undefined}
                    label={FACTOR_NAMES[kind]}
                    note={note}
                    icon={<FactorIcon kind={kind} />}
                  />
                  {kind === "sms" && (
                    <div className="mt-3 ml-7 border-l-2 border-slate-100 pl-4 sm:ml-19">
                      <Choice
                        type="checkbox"
                        id="smsBackupOnly"
                        name="smsBackupOnly"
                        value="on"
                        checked={smsAllowed && values.smsBackupOnly}
                        disabled={!smsAllowed}
                        onChange={(e) => set("smsBackupOnly", e.target.checked)}
                        aria-describedby={error("smsBackupOnly") ? "smsBackupOnly-error" : undefined}
                        label="SMS as a backup only"
                        note="A phone number alone then doesn't count: members also need another allowed method, and use text messages when it isn't at hand."
                      />
                      <FieldError id="smsBackupOnly-error" error={error("smsBackupOnly")} />
                    </div>
                  )}
                </li>
              ))}
            </ul>
            <FieldError id="allowedMethods-error" error={error("allowedMethods")} />
            {weakOnly && (
              <div className="mt-4">
                <Alert tone="warning">Only email and text-message codes are allowed. Allow an authenticator app or security key too: they are much harder to steal.</Alert>
              </div>
            )}
          </fieldset>
        </Card>

        <div className="grid gap-6 md:grid-cols-2">
          <Card title="Default method for new members">
            {defaultMethod ? (
              <SelectField
                id="defaultMethod"
                name="defaultMethod"
                label="Default method"
                value={defaultMethod}
                onChange={(e) => set("defaultMethod", e.target.value as FactorKind)}
                error={error("defaultMethod")}
                hint={
                  <>
                    <p>
                      Offered first when a new member sets up two-factor authentication. The authenticator app is free and strong; email alone shares its channel
                      with password resets.
                    </p>
                    {defaultMethod !== values.defaultMethod && (
                      <p className="font-medium text-slate-700" data-testid="default-changed">
                        {allowed(values.defaultMethod) ? "Text messages are a backup only" : `${FACTOR_NAMES[values.defaultMethod]} isn't allowed`}, so{" "}
                        {FACTOR_NAMES[defaultMethod]} is selected.
                      </p>
                    )}
                  </>
                }
              >
                {defaultChoices.map((kind) => (
                  <option key={kind} value={kind}>
                    {FACTOR_NAMES[kind]}
                  </option>
                ))}
              </SelectField>
            ) : (
              <>
                {/* Nothing can be chosen; the admin's choice is still sent so the one real problem (the methods) is what gets reported. */}
                <input type="hidden" name="defaultMethod" value={values.defaultMethod} />
                <SelectField id="defaultMethod" label="Default method" disabled error={error("defaultMethod")} hint="Allow a method other than SMS as a backup to choose a default.">
                  <option>No allowed method</option>
                </SelectField>
              </>
            )}
          </Card>

          <Card title="Remembered devices">
            <SelectField
              id="rememberDeviceDays"
              name="rememberDeviceDays"
              label="Remember this device for"
              value={values.rememberDeviceDays}
              onChange={(e) => set("rememberDeviceDays", Number(e.target.value))}
              error={error("rememberDeviceDays")}
              hint={
                <>
                  <p>How long a member can skip the second factor on a browser they chose to trust. For someone in several teams, the shortest period applies.</p>
                  <p className={lowered ? "font-medium text-amber-800" : undefined} data-testid="remember-note">
                    {lowered
                      ? values.rememberDeviceDays === 0
                        ? "Saving forgets every device members have remembered."
                        : `Saving shortens devices already remembered to ${rememberLabel(values.rememberDeviceDays)} from when they were remembered.`
                      : "Lowering it shortens devices already remembered."}
                  </p>
                </>
              }
            >
              {REMEMBER.map(({ days, label }) => (
                <option key={days} value={days}>
                  {label}
                </option>
              ))}
            </SelectField>
          </Card>
        </div>

        <Card
          title="Sessions"
          description="How long members stay signed in to Tessera. NIST SP 800-63B (AAL2) asks for a new sign-in after at most an hour without activity and at most 24 hours in all: these are the longest you can choose."
        >
          <div className="grid gap-6 sm:grid-cols-2">
            <SelectField
              id="sessionIdleMinutes"
              name="sessionIdleMinutes"
              label="Sign out after inactivity"
              value={values.sessionIdleMinutes}
              onChange={(e) => set("sessionIdleMinutes", Number(e.target.value))}
              error={error("sessionIdleMinutes")}
              hint="A session nobody uses for this long ends; the next click goes to sign-in."
            >
              {IDLE.map(({ minutes, label }) => (
                <option key={minutes} value={minutes}>
                  {label}
                </option>
              ))}
            </SelectField>
            <SelectField
              id="sessionMaxHours"
              name="sessionMaxHours"
              label="Sign in again every"
              value={values.sessionMaxHours}
              onChange={(e) => set("sessionMaxHours", Number(e.target.value))}
              error={error("sessionMaxHours")}
              hint="Counted from sign-in, however active the session is."
            >
              {LIFETIME.map(({ hours, label }) => (
                <option key={hours} value={hours}>
                  {label}
                </option>
              ))}
            </SelectField>
          </div>
          <p className="mt-4 text-sm text-slate-600" data-testid="sessions-note">
            For someone in several teams, the shortest applies. Lowering either ends sessions already past it at their next click.
          </p>
        </Card>

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
