import Link from "next/link";
import type { ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import type { FactorKind } from "@/lib/db/schema";
import { RecoveryCodesPanel } from "./recovery-codes-panel";

// No hooks here: the add pages (server) and the wizards (client) both use these pieces.

/** Where a person re-enters a second factor before adding another; it brings them back here. */
export function stepUpHref(kind: FactorKind): string {
  return `/settings/security/confirm?next=${encodeURIComponent(`/settings/security/add/${kind}`)}`;
}

/** Where every wizard lands once the new factor is saved (or, for a new phone number, changed). */
export function addedHref(kind: FactorKind, changed = false): string {
  return changed ? "/settings/security?changed=phone" : `/settings/security?added=${kind}`;
}

/** The page around a wizard: back link, heading, and the wizard's cards — or why a team policy refuses this method. */
export function WizardShell({ title, description, refused, children }: { title: string; description?: ReactNode; refused?: string | null; children: ReactNode }) {
  return (
    <div className="max-w-2xl space-y-6">
      <Link href="/settings/security" className="inline-block text-sm font-medium text-indigo-700 hover:underline">
        <span aria-hidden="true">←</span> Back to security settings
      </Link>
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      </header>
      {refused ? <Alert tone="warning">{refused}</Alert> : children}
    </div>
  );
}

/** One card of a wizard, optionally numbered ("Step 1 of 2" sits above the heading, not in it). */
export function WizardStep({ step, of, title, description, children }: { step?: number; of?: number; title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="border-b border-slate-100 px-5 py-4">
        {step !== undefined && (
          <p className="text-xs font-medium tracking-wide text-indigo-700 uppercase">
            Step {step}
            {of !== undefined && ` of ${of}`}
          </p>
        )}
        <h2 className="text-base font-semibold text-slate-900">{title}</h2>
        {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      </header>
      <div className="px-5 py-4">{children}</div>
    </section>
  );
}

export function FactorAdded({ message, codes, onFinish }: { message: string; codes: string[]; onFinish: () => void }) {
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm sm:p-6">
      <Alert tone="success">{message} Two-factor authentication is now on.</Alert>
      <RecoveryCodesPanel codes={codes} onFinish={onFinish} />
    </section>
  );
}
