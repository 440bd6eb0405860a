import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import { SWITCH_CLASS } from "@/components/ui/switch-class";
import { GRACE, type PolicyEditing } from "./policy-options";
import { describedBy, FieldError } from "./policy-fields";

type Props = PolicyEditing & {
  /** Since when the saved requirement applies and when its grace ends, in words; null while it is off. */
  requireStatus: string | null;
  /** Who the edited policy would stop, shown under the grace period. */
  children: ReactNode;
};

/** The requirement switch and its grace period. */
export function PolicyRequireCard({ values, set, error, requireStatus, children }: Props) {
  return (
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

        {children}
      </div>
    </Card>
  );
}
