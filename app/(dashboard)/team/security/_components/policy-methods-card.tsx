import { FactorIcon } from "@/components/factors/factor-icon";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import type { FactorKind } from "@/lib/db/schema";
import { FACTOR_NAMES } from "@/lib/factors/registry";
import { KINDS, METHODS, type PolicyEditing } from "./policy-options";
import { Choice, describedBy, FieldError } from "./policy-fields";

/** The methods members may use, SMS possibly as a backup only. */
export function PolicyMethodsCard({ values, set, error }: PolicyEditing) {
  const allowed = (kind: FactorKind) => values.allowedMethods.includes(kind);
  const toggleMethod = (kind: FactorKind, on: boolean) => set("allowedMethods", KINDS.filter((k) => (k === kind ? on : allowed(k))));
  const smsAllowed = allowed("sms");
  const weakOnly = values.allowedMethods.length > 0 && !allowed("totp") && !allowed("webauthn");
  return (
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
  );
}
