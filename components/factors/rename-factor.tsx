"use client";

import { useActionState } from "react";
import { renameFactorAction } from "@/app/(dashboard)/settings/security/actions";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";

/** "Rename" opens an inline form; <details> keeps it keyboard-friendly without state. */
export function RenameFactor({ factorId, label }: { factorId: string; label: string }) {
  const [state, action] = useActionState<ActionState, FormData>(renameFactorAction, {});
  const error = state.fieldErrors?.label?.[0] ?? state.error;
  return (
    <details className="text-sm" open={Boolean(error) || undefined}>
      <summary className="cursor-pointer font-medium text-indigo-700 hover:underline">Rename</summary>
      <form action={action} className="mt-2 flex flex-wrap items-start gap-2">
        <input type="hidden" name="factorId" value={factorId} />
        <label htmlFor={`rename-${factorId}`} className="sr-only">
          New name for {label}
        </label>
        <input
          id={`rename-${factorId}`}
          name="label"
          defaultValue={label}
          maxLength={60}
          required
          aria-invalid={error ? true : undefined}
          className="rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
        <SubmitButton variant="secondary" pendingText="Saving…" className="px-3 py-1">
          Save
        </SubmitButton>
        {error && <p className="w-full text-sm text-red-700">{error}</p>}
      </form>
    </details>
  );
}
