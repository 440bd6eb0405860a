"use client";

import { useRouter } from "next/navigation";
import { useActionState, useState } from "react";
import { regenerateRecoveryCodesAction } from "@/app/(dashboard)/settings/security/actions";
import { ActionError } from "./action-error";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/auth/action";
import { RecoveryCodesPanel } from "./recovery-codes-panel";

/** "Generate new codes": needs a fresh second factor, then shows the new set once. */
export function RegenerateCodes() {
  const router = useRouter();
  const [state, action] = useActionState<ActionState<{ codes: string[] }>, FormData>(regenerateRecoveryCodesAction, {});
  const [done, setDone] = useState(false);
  if (state.data?.codes && !done) {
    return (
      <RecoveryCodesPanel
        codes={state.data.codes}
        finishLabel="Done"
        onFinish={() => {
          setDone(true);
          router.refresh();
        }}
      />
    );
  }
  return (
    <form action={action}>
      <SubmitButton variant="secondary" pendingText="Generating…">
        Generate new codes
      </SubmitButton>
      <ActionError error={state.error} stepUp={state.stepUp} />
    </form>
  );
}
