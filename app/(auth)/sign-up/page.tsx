import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignUpForm } from "./_components/sign-up-form";
import { currentUser } from "@/lib/auth/current-user";
import { safeCallbackUrl } from "@/lib/auth/redirect";

export const metadata: Metadata = { title: "Create your account" };

type Props = { searchParams: Promise<{ callbackUrl?: string | string[]; email?: string | string[] }> };

/** `callbackUrl` is where the new account goes next (an invitation, say); `email` prefills the address it was sent to. */
export default async function SignUpPage({ searchParams }: Props) {
  const { callbackUrl, email } = await searchParams;
  const target = safeCallbackUrl(callbackUrl);
  if (await currentUser()) redirect(target);
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold">Create your account</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">Two-factor authentication for you and your team.</p>
      <SignUpForm callbackUrl={target} email={typeof email === "string" ? email.slice(0, 254) : undefined} />
    </div>
  );
}
