"use client";

import { signIn } from "next-auth/react";
import { useActionState } from "react";
import type { ActionState } from "@/lib/auth/action";

type ServerAction<S extends ActionState<unknown>> = (prev: S, formData: FormData) => Promise<S>;

/**
 * Runs a password-step server action and, when it succeeds, exchanges the completed
 * sign-in challenge (an httpOnly cookie the server set) for a session, then loads
 * `callbackUrl` with a full navigation so every server component renders for the new
 * session. All of it is one transition: the button stays busy until the page changes.
 */
export function useSignInAction<S extends ActionState<unknown>>(serverAction: ServerAction<S>, callbackUrl: string, expiredMessage: string) {
  return useActionState<S, FormData>(async (prev, formData) => {
    const result = await serverAction(prev, formData);
    if (!result.ok) return result;
    const session = await signIn("challenge", { redirect: false });
    if (!session?.ok || session.error) return { error: expiredMessage } as Awaited<S>;
    window.location.assign(callbackUrl);
    return result;
  }, {} as Awaited<S>);
}
