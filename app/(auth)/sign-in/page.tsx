import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "./_components/sign-in-form";
import { currentUser, signedOutNotice } from "@/lib/auth/current-user";
import { AUTH_ERRORS } from "@/lib/auth/errors";
import { safeCallbackUrl } from "@/lib/auth/redirect";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<{ callbackUrl?: string; error?: string }> };

export default async function SignInPage({ searchParams }: Props) {
  const { callbackUrl, error } = await searchParams;
  const target = safeCallbackUrl(callbackUrl);
  if (await currentUser()) redirect(target);
  const notice = error ? AUTH_ERRORS.CHALLENGE_INVALID() : ((await signedOutNotice()) ?? (callbackUrl ? "Sign in to continue." : undefined));
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold">Sign in to Tessera</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">Welcome back.</p>
      <SignInForm callbackUrl={target} notice={notice} />
    </div>
  );
}
