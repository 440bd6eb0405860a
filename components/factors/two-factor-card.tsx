import Link from "next/link";
import { setDefaultFactorAction, removeFactorAction } from "@/app/(dashboard)/settings/security/actions";
import { Card } from "@/components/ui/card";
import type { Factor, FactorKind } from "@/lib/db/schema";
import { formatTime } from "@/lib/format/time";
import { FACTORS } from "@/lib/factors/registry";
import { maskPhone } from "@/lib/factors/codes/phone";
import { ActionButton } from "./action-button";
import { FactorIcon } from "./factor-icon";
import { MethodChoices } from "./method-choices";
import { RenameFactor } from "./rename-factor";


/** The list of enrolled factors with their actions, and the ways to add more. */
export function TwoFactorCard({ factors, addable }: { factors: Factor[]; addable: FactorKind[] }) {
  const on = factors.length > 0;
  const has = (kind: FactorKind) => factors.some((f) => f.kind === kind);
  return (
    <Card
      title="Two-factor authentication"
      description={
        <>
          <span className={`mr-2 inline-block rounded-full px-2 py-0.5 text-xs font-medium ${on ? "bg-emerald-100 text-emerald-800" : "bg-slate-200 text-slate-700"}`} data-testid="two-factor-status">
            {on ? "On" : "Off"}
          </span>
          {on ? "You are asked for one of these after your password." : "Add a second factor so a stolen password is not enough to get in."}
        </>
      }
    >
      {on && (
        <ul className="divide-y divide-slate-100" aria-label="Your second factors">
          {factors.map((factor) => (
            <li key={factor.id} className="flex flex-wrap items-start gap-3 py-3" data-testid="factor">
              <FactorIcon kind={factor.kind} />
              <div className="min-w-0 flex-1">
                <p className="font-medium text-slate-900">
                  {factor.label}
                  {factor.isDefault && <span className="ml-2 rounded-full bg-indigo-100 px-2 py-0.5 text-xs text-indigo-800">Default</span>}
                </p>
                <p className="text-sm text-slate-600">
                  {[
                    factor.label === FACTORS[factor.kind].name ? null : FACTORS[factor.kind].name,
                    factor.kind === "sms" && factor.phone ? maskPhone(factor.phone) : null,
                    factor.lastUsedAt ? `Last used ${formatTime(factor.lastUsedAt)}` : `Added ${formatTime(factor.createdAt)}`,
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                </p>
                <div className="mt-2 flex flex-wrap items-start gap-3">
                  {FACTORS[factor.kind].named && <RenameFactor factorId={factor.id} label={factor.label} />}
                  {factor.kind === "sms" && (
                    <Link href="/settings/security/add/sms" className="text-sm font-medium text-indigo-700 hover:underline">
                      Change number
                    </Link>
                  )}
                </div>
              </div>
              <div className="flex flex-wrap gap-2">
                {!factor.isDefault && <ActionButton action={setDefaultFactorAction} fields={{ factorId: factor.id }} label="Make default" pendingText="Saving…" />}
                <ActionButton action={removeFactorAction} fields={{ factorId: factor.id }} label="Remove" pendingText="Removing…" variant="danger" />
              </div>
            </li>
          ))}
        </ul>
      )}
      <div className={on ? "mt-4 border-t border-slate-100 pt-4" : ""}>
        <h3 className="text-sm font-semibold text-slate-900">{on ? "Add another method" : "Choose a method"}</h3>
        <MethodChoices kinds={addable.filter((kind) => !(FACTORS[kind].enroll.single && has(kind)))} />
      </div>
    </Card>
  );
}
