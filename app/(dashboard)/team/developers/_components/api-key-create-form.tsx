"use client";

import { useActionState, useState } from "react";
import { createApiKeyAction, type CreatedKey } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { ActionError } from "@/components/factors/action-error";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/auth/action";
import { ApiKeyReveal } from "./api-key-reveal";

type Props = {
  teamId: string;
  maxNameLength: number;
  /** The name typed before confirming it's you (it comes back in the address). */
  defaultName?: string;
};

/**
 * "Create API key": the name form, then the new key shown once. "Done" remounts the form
 * (a new generation), which drops the key from memory and starts from an empty name.
 */
export function ApiKeyCreateForm(props: Props) {
  const [generation, setGeneration] = useState(0);
  // The name from the address only prefills the first form, not the one after "Done".
  return <CreateFlow key={generation} {...props} defaultName={generation === 0 ? props.defaultName : undefined} onDone={() => setGeneration((n) => n + 1)} />;
}

function CreateFlow({ teamId, maxNameLength, defaultName, onDone }: Props & { onDone: () => void }) {
  const [state, action] = useActionState<ActionState<CreatedKey>, FormData>(createApiKeyAction, {});
  const hydrated = useHydrated();

  if (state.ok && state.data) return <ApiKeyReveal created={state.data} onDone={onDone} />;

  return (
    <form action={action} className="space-y-4" data-ready={hydrated || undefined} noValidate>
      <ActionError error={state.error} stepUp={state.stepUp} next={`/team/developers?name=${encodeURIComponent(state.values?.name ?? "")}`} boxed />
      <input type="hidden" name="teamId" value={teamId} />
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <Field
          label="Name"
          name="name"
          type="text"
          autoComplete="off"
          required
          maxLength={maxNameLength}
          placeholder="Production backend"
          defaultValue={state.values?.name ?? defaultName}
          // A new key after each answer: an uncontrolled input keeps its text otherwise.
          key={state.values?.name ?? defaultName ?? ""}
          errors={state.fieldErrors?.name}
          hint="Where is it used? e.g. Production backend, Staging. Only owners and admins of this team see it."
          className="sm:flex-1"
        />
        <SubmitButton pendingText="Creating…" className="sm:mt-6">
          Create API key
        </SubmitButton>
      </div>
    </form>
  );
}
