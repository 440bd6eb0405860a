"use client";

import { signIn } from "next-auth/react";

/**
 * Exchanges the completed sign-in challenge (an httpOnly cookie the server set) for a
 * session, then loads `callbackUrl` with a full navigation so every server component
 * renders for the new session. Returns an error message when the exchange is refused.
 */
export async function completeSignIn(callbackUrl: string): Promise<string | undefined> {
  const result = await signIn("challenge", { redirect: false });
  if (!result?.ok || result.error) return "Your sign-in has expired. Enter your email and password again.";
  window.location.assign(callbackUrl);
  return undefined;
}
