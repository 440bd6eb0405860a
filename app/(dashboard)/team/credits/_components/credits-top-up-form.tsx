"use client";

import { useActionState } from "react";
import { addCreditsAction } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { ActionError } from "@/components/factors/action-error";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/auth/action";

const count = (n: number) => `${n.toLocaleString("en-US")} credit${n === 1 ? "" : "s"}`;

/** The owner's "Add credits" form: records a top-up in the ledger (there is no payment step). */
export function CreditsTopUpForm({ teamId, max }: { teamId: string; max: number }) {
  const [state, action, pending] = useActionState<ActionState<{ amount: number; balance: number }>, FormData>(addCreditsAction, {});
  const hydrated = useHydrated();
  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined} noValidate>
      {state.ok && state.data && !pending && (
        <Alert tone="success">
          Added {count(state.data.amount)}. The balance is now {state.data.balance.toLocaleString("en-US")}.
        </Alert>
      )}
      <ActionError error={state.error} stepUp={state.stepUp} setUpFactor={state.setUpFactor} next="/team/credits" boxed />
      <input type="hidden" name="teamId" value={teamId} />
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <Field
          label="Credits to add"
          name="amount"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          required
          maxLength={9}
          placeholder="100"
          defaultValue={state.ok ? undefined : state.values?.amount}
          // A new key after each answer: an uncontrolled input keeps its text otherwise.
          key={state.ok ? `done-${state.data?.balance}` : `typed-${state.values?.amount ?? ""}`}
          errors={state.fieldErrors?.amount}
          hint={
            max > 0
              ? `A whole number from 1 to ${max.toLocaleString("en-US")}. Each SMS or voice call uses 1 credit.`
              : "This team has added as many credits as it may in 24 hours. Each SMS or voice call uses 1 credit."
          }
          className="sm:w-64"
        />
        <SubmitButton pendingText="Adding…" className="sm:mt-6">
          Add credits
        </SubmitButton>
      </div>
    </form>
  );
}
