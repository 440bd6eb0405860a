"use client";

import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useHydrated } from "@/components/auth/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { SWITCH_CLASS } from "@/components/ui/switch-class";
import type { ActionState } from "@/lib/auth/action";
import type { Country } from "@/lib/fraud/countries";
import type { MemberPhones, SmsSettingsValues } from "@/lib/teams/sms-settings";
import { SmsCountryList, SmsEmptyWarning, SmsPhoneWarning, VOIP_CHOICES, type VoipChoice } from "./sms-settings-parts";
import { StepUpDialog, type StepUpMethods } from "@/components/teams/step-up-dialog";
import { TeamChangeError } from "@/components/teams/team-change-error";
import { useStepUpRetry } from "@/components/teams/use-step-up-retry";

type SaveResult = ActionState<{ settings: SmsSettingsValues; changed: boolean }>;

type Props = {
  teamId: string;
  saved: SmsSettingsValues;
  /** Every country the picker offers, by name. */
  countries: Country[];
  phones: MemberPhones;
  stepUp: StepUpMethods;
  save: (prev: SaveResult, formData: FormData) => Promise<SaveResult>;
};

const ADD_ID = "sms-add-country";
const norm = (text: string) =>
  text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .trim()
    .toLowerCase();

/** What the person typed into the picker, as a country: its name, its ISO code, "Name (+code)", or a calling code only one country uses. */
function resolve(typed: string, all: Country[]): Country | string {
  const text = norm(typed);
  if (!text) return "Type a country's name, then choose it from the suggestions.";
  const byName = all.find((c) => norm(c.name) === text || norm(`${c.name} (+${c.callingCode})`) === text || c.code.toLowerCase() === text);
  if (byName) return byName;
  const calling = /^\+?\s*(\d{1,4})$/.exec(text)?.[1];
  if (calling) {
    const sharing = all.filter((c) => c.callingCode === calling);
    if (sharing.length === 1) return sharing[0]!;
    if (sharing.length > 1) return `Several countries use +${calling} (${sharing.slice(0, 3).map((c) => c.name).join(", ")}${sharing.length > 3 ? "…" : ""}). Choose one by name.`;
  }
  return `No country is called “${typed.trim().slice(0, 40)}”. Choose one from the suggestions.`;
}

const listed = (codes: string[], names: ReadonlyMap<string, string>) => codes.map((code) => names.get(code) ?? code).join(", ");

/** Team → SMS & voice, for owners: the countries and VoIP choices, edited here and saved together. */
export function SmsSettingsForm({ teamId, saved: initial, countries: all, phones, stepUp, save }: Props) {
  const hydrated = useHydrated();
  const names = useMemo(() => new Map<string, string>(all.map((c) => [c.code, c.name])), [all]);
  const byCode = useMemo(() => new Map<string, Country>(all.map((c) => [c.code, c])), [all]);
  const [saved, setSaved] = useState(initial);
  const [codes, setCodes] = useState<string[]>(initial.countries);
  const [voip, setVoip] = useState<Record<VoipChoice, boolean>>({ voipMembers: initial.voipMembers, voipApi: initial.voipApi });
  const [typed, setTyped] = useState("");
  const [addError, setAddError] = useState<string | null>(null);
  const [announce, setAnnounce] = useState("");
  const [lastSave, setLastSave] = useState<{ added: string[]; removed: string[] } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const removeButtons = useRef(new Map<string, HTMLButtonElement>());
  /** Where the focus goes once a removal has rendered: a country's Remove button, or "" for the picker. */
  const focusAfterRemove = useRef<string | null>(null);

  const { state, submit, pending, dialog, confirming } = useStepUpRetry<{ settings: SmsSettingsValues; changed: boolean }>(save, (result) => {
    if (!result.ok || !result.data) return;
    const next = result.data.settings;
    setLastSave({ added: next.countries.filter((c) => !saved.countries.includes(c)), removed: saved.countries.filter((c) => !next.countries.includes(c)) });
    setSaved(next);
    setCodes(next.countries);
    setVoip({ voipMembers: next.voipMembers, voipApi: next.voipApi });
  });

  const rows = useMemo(
    () =>
      codes
        .map((code) => byCode.get(code) ?? { code: code as Country["code"], name: code, callingCode: "" })
        .sort((a, b) => a.name.localeCompare(b.name, "en")),
    [codes, byCode],
  );
  const added = codes.filter((c) => !saved.countries.includes(c));
  const removed = saved.countries.filter((c) => !codes.includes(c));
  const voipChanged = VOIP_CHOICES.filter(({ name }) => voip[name] !== saved[name]);
  const dirty = added.length > 0 || removed.length > 0 || voipChanged.length > 0;

  // After a removal the focus goes to the next country's Remove button (or the picker), never to the page's top.
  useEffect(() => {
    if (focusAfterRemove.current === null) return;
    (removeButtons.current.get(focusAfterRemove.current) ?? input.current)?.focus();
    focusAfterRemove.current = null;
  }, [codes]);

  function add() {
    const found = resolve(typed, all);
    if (typeof found === "string") return setAddError(found);
    if (codes.includes(found.code)) return setAddError(`${found.name} is already on the list.`);
    setCodes((c) => [...c, found.code]);
    setTyped("");
    setAddError(null);
    setAnnounce(`${found.name} added. Save changes to apply it.`);
    input.current?.focus();
  }

  function remove(code: string) {
    const at = rows.findIndex((r) => r.code === code);
    const neighbour = rows[at + 1] ?? rows[at - 1];
    setCodes((c) => c.filter((x) => x !== code));
    setAnnounce(`${names.get(code) ?? code} removed. Save changes to apply it.`);
    focusAfterRemove.current = neighbour?.code ?? "";
  }

  function discard() {
    setCodes(saved.countries);
    setVoip({ voipMembers: saved.voipMembers, voipApi: saved.voipApi });
    setAddError(null);
    setAnnounce("Changes discarded.");
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    // Enter in the picker adds the country; it must not save the whole form.
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const formData = new FormData();
    formData.set("teamId", teamId);
    formData.set("countries", codes.join(","));
    if (voip.voipMembers) formData.set("voipMembers", "on");
    if (voip.voipApi) formData.set("voipApi", "on");
    formData.set("version", saved.version);
    setLastSave(null);
    submit(formData);
  }

  const countriesError = state.fieldErrors?.countries?.[0];
  const failed = !state.ok && !pending && Boolean(state.error || state.fieldErrors);
  const available = all.filter((c) => !codes.includes(c.code));

  return (
    <>
      <form onSubmit={onSubmit} noValidate data-ready={hydrated || undefined} aria-label="SMS and voice settings" className="space-y-6">
        <Card
          title="Countries"
          description="Text messages and calls of this team go only to numbers in these countries: members' sign-in codes and the Verify API's codes alike."
        >
          <div className="space-y-4">
            <p className="text-sm text-slate-700" data-testid="sms-country-count">
              {codes.length === 0 ? "No country on the list." : `${codes.length} ${codes.length === 1 ? "country" : "countries"} on the list.`}
            </p>
            <SmsCountryList
              countries={rows}
              onRemove={remove}
              disabled={pending}
              removeRef={(code) => (button) => {
                if (button) removeButtons.current.set(code, button);
                else removeButtons.current.delete(code);
              }}
            />
            {codes.length === 0 && <SmsEmptyWarning saved={false} />}
            <SmsPhoneWarning phones={phones} allowed={codes} voipMembers={voip.voipMembers} names={names} />

            <div>
              <label htmlFor={ADD_ID} className="block text-sm font-medium text-slate-800">
                Add a country
              </label>
              <div className="mt-1 flex flex-col gap-2 sm:flex-row sm:items-start">
                <input
                  id={ADD_ID}
                  ref={input}
                  list={`${ADD_ID}-options`}
                  value={typed}
                  onChange={(e) => {
                    setTyped(e.target.value);
                    setAddError(null);
                  }}
                  onKeyDown={onKeyDown}
                  autoComplete="off"
                  maxLength={60}
                  placeholder="Start typing a country's name"
                  aria-invalid={addError ? true : undefined}
                  aria-describedby={addError ? `${ADD_ID}-error` : `${ADD_ID}-hint`}
                  className={`block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-500 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none sm:w-80 ${
                    addError ? "border-red-500" : "border-slate-300"
                  }`}
                />
                <datalist id={`${ADD_ID}-options`}>
                  {available.map((c) => (
                    <option key={c.code} value={c.name} label={`+${c.callingCode}`} />
                  ))}
                </datalist>
                <Button type="button" variant="secondary" onClick={add} disabled={!hydrated || pending}>
                  Add
                </Button>
              </div>
              {addError ? (
                <p id={`${ADD_ID}-error`} className="mt-1 text-sm text-red-700">
                  {addError}
                </p>
              ) : (
                <p id={`${ADD_ID}-hint`} className="mt-1 text-xs text-slate-600">
                  Type a name (or a calling code such as +91) and choose from the suggestions. The change applies once you save.
                </p>
              )}
            </div>
          </div>
        </Card>

        <Card title="VoIP numbers" description="Numbers of internet phone services (Google Voice, Skype and the like) that anyone can get online in minutes.">
          <ul className="space-y-5">
            {VOIP_CHOICES.map(({ name, label, note }) => (
              <li key={name} className="flex items-start gap-3">
                <input
                  type="checkbox"
                  role="switch"
                  id={name}
                  checked={voip[name]}
                  onChange={(e) => setVoip((v) => ({ ...v, [name]: e.target.checked }))}
                  aria-describedby={`${name}-note`}
                  className={SWITCH_CLASS}
                />
                <div className="min-w-0">
                  <label htmlFor={name} className="block cursor-pointer text-sm font-medium text-slate-900">
                    {label}
                  </label>
                  <p id={`${name}-note`} className="text-sm text-slate-600">
                    {note}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        </Card>

        <div className="space-y-3">
          {dirty && (
            <p className="text-sm text-slate-700" data-testid="sms-unsaved">
              <span className="font-medium">Not saved yet:</span>{" "}
              {[
                added.length > 0 && `adds ${listed(added, names)}`,
                removed.length > 0 && `removes ${listed(removed, names)}`,
                ...voipChanged.map(({ name, label }) => `${label.charAt(0).toLowerCase()}${label.slice(1)} ${voip[name] ? "allowed" : "refused"}`),
              ]
                .filter(Boolean)
                .join("; ")}
              .
            </p>
          )}
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" pending={pending} pendingText="Saving…" disabled={!hydrated || !dirty}>
              Save changes
            </Button>
            {dirty && (
              <Button type="button" variant="secondary" onClick={discard} disabled={pending}>
                Discard changes
              </Button>
            )}
          </div>
          {state.ok && !dirty && !pending && lastSave && (
            <Alert tone="success">
              Saved.
              {lastSave.added.length > 0 && ` Added ${listed(lastSave.added, names)}.`}
              {lastSave.removed.length > 0 && ` Removed ${listed(lastSave.removed, names)}.`} Every owner gets an email about the change.
            </Alert>
          )}
          {failed && (
            <TeamChangeError
              state={state}
              confirming={confirming}
              stepUpText="Nothing was saved: changing these settings needs your second factor again."
              confirm={{ type: "submit" }}
            >
              Nothing was saved. {countriesError ?? state.error ?? Object.values(state.fieldErrors ?? {}).flat()[0]}
            </TeamChangeError>
          )}
        </div>
        <p className="sr-only" aria-live="polite">
          {announce}
        </p>
      </form>
      {/* Outside the form: the prompt has forms of its own, and forms do not nest. */}
      <StepUpDialog id="sms-step-up" next="/team/sms" stepUp={stepUp} {...dialog}>
        Changing where the team&apos;s messages may go needs your second factor again. It stays confirmed for 10 minutes, and your changes are saved as soon as
        it&apos;s accepted.
      </StepUpDialog>
    </>
  );
}
