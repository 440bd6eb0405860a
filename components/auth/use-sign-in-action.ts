"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useActionState } from "react";
import type { ActionState } from "@/lib/auth/action";

type ServerAction<S extends ActionState<unknown>> = (prev: S, formData: FormData) => Promise<S>;

/**
 * Exchanges the completed sign-in challenge (an httpOnly cookie the server set) for a
 * session. Returns false when the exchange was refused.
 */
export async function exchangeForSession(): Promise<boolean> {
  const session = await signIn("challenge", { redirect: false });
  return Boolean(session?.ok && !session.error);
}

/**
 * Runs a password-step server action; on success either goes to the second-factor
 * challenge or, when none is owed, straight to a session. All of it is one transition:
 * the button stays busy until the page changes.
 */
export function useSignInAction<S extends ActionState<unknown>>(serverAction: ServerAction<S>, callbackUrl: string, expiredMessage: string) {
  const router = useRouter();
  return useActionState<S, FormData>(async (prev, formData) => {
    const result = await serverAction(prev, formData);
    if (!result.ok) return result;
    if ((result.data as { secondFactorRequired?: boolean } | undefined)?.secondFactorRequired) {
      router.push(`/sign-in/challenge?callbackUrl=${encodeURIComponent(callbackUrl)}`);
      return result;
    }
    if (!(await exchangeForSession())) return { error: expiredMessage } as Awaited<S>;
    router.replace(callbackUrl);
    router.refresh();
    return result;
  }, {} as Awaited<S>);
}
