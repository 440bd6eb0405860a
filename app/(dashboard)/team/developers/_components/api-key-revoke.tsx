"use client";

import { useActionState, useState } from "react";
import { revokeApiKeyAction } from "../actions";
import { useHydrated } from "@/components/auth/use-hydrated";
import { buttonClass } from "@/components/ui/button-class";
import { useListNotice } from "@/components/ui/list-notice";
import type { ActionState } from "@/lib/auth/action";
import { MembersConfirmDialog } from "@/components/teams/members-confirm-dialog";

type Props = { teamId: string; keyId: string; name: string; prefix: string };

/** "Revoke" for one live key, behind a confirmation dialog that shows the action's error. */
export function ApiKeyRevoke({ teamId, keyId, name, prefix }: Props) {
  const hydrated = useHydrated();
  const setNotice = useListNotice();
  const [open, setOpen] = useState(false);
  // Kept apart from the action's state so that reopening the dialog starts without an old error.
  const [error, setError] = useState<Pick<ActionState, "error" | "stepUp" | "setUpFactor"> | undefined>();
  const [, revoke] = useActionState<ActionState, FormData>(async (prev, formData) => {
    const result = await revokeApiKeyAction(prev, formData);
    if (result.ok) {
      setOpen(false);
      setNotice({ ok: true, text: `“${name}” was revoked. Requests that use ${prefix}… now get 401 Unauthorized.` });
    } else {
      setError({
        error: result.error ?? Object.values(result.fieldErrors ?? {}).flat()[0] ?? "The key could not be revoked. Reload the page and try again.",
        stepUp: result.stepUp,
        setUpFactor: result.setUpFactor,
      });
    }
    return result;
  }, {});
  const id = `revoke-${keyId}`;

  return (
    <div data-ready={hydrated || undefined}>
      <button
        type="button"
        className={buttonClass("secondary", "px-3 py-1.5 text-red-700")}
        onClick={() => {
          setError(undefined);
          setOpen(true);
        }}
      >
        Revoke<span className="sr-only"> {name}</span>
      </button>
      {open && (
        <MembersConfirmDialog
          id={id}
          onClose={() => setOpen(false)}
          title={`Revoke “${name}”?`}
          action={revoke}
          fields={{ teamId, keyId }}
          confirmLabel="Revoke key"
          pendingText="Revoking…"
          error={error?.error}
          stepUp={error?.stepUp}
          setUpFactor={error?.setUpFactor}
          stepUpNext="/team/developers"
        >
          <p>
            Requests that use <code className="font-mono text-xs text-slate-900">{prefix}…</code> get 401 Unauthorized from the moment you revoke it.
          </p>
          <p>Anything still using it stops sending codes: put its replacement in place first. This can&apos;t be undone.</p>
        </MembersConfirmDialog>
      )}
    </div>
  );
}
