import { Card } from "@/components/ui/card";
import type { FactorKind } from "@/lib/db/schema";
import { FACTOR_NAMES } from "@/lib/factors/registry";
import { IDLE, LIFETIME, REMEMBER, rememberLabel, type PolicyEditing } from "./policy-options";
import { SelectField } from "./policy-fields";

type DefaultProps = PolicyEditing & {
  /** The default offered: the admin's choice while it is allowed, else the strongest left; undefined when none is. */
  defaultMethod: FactorKind | undefined;
  defaultChoices: FactorKind[];
};

/** The method a new member is offered first. */
export function PolicyDefaultMethodCard({ values, set, error, defaultMethod, defaultChoices }: DefaultProps) {
  const allowed = (kind: FactorKind) => values.allowedMethods.includes(kind);
  return (
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
  );
}

/** How long a trusted browser may skip the second factor. */
export function PolicyRememberCard({ values, set, error, savedDays }: PolicyEditing & { savedDays: number }) {
  const lowered = values.rememberDeviceDays < savedDays;
  return (
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
  );
}

/** The idle and absolute session limits. */
export function PolicySessionsCard({ values, set, error }: PolicyEditing) {
  return (
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
  );
}
