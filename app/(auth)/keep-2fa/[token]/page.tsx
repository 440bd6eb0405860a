import type { Metadata } from "next";
import Link from "next/link";
import { KeepTwoFactorForm } from "./_components/keep-two-factor-form";
import { Alert } from "@/components/ui/alert";
import { describeKeepLink, KEEP_MESSAGES } from "@/lib/teams/keep-two-factor";

export const metadata: Metadata = { title: "Keep your two-factor authentication" };

type Props = { params: Promise<{ token: string }> };

/**
 * Where "This wasn't requested — keep my 2FA" lands (the (auth) layout sends no referrer: the
 * token is in the URL). Opening it changes nothing; only the button cancels.
 */
export default async function KeepTwoFactorPage({ params }: Props) {
  const { token } = await params;
  const state = await describeKeepLink(token);
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold text-balance">Keep your two-factor authentication</h1>
      <div className="mt-6 space-y-4 text-sm text-slate-700">
        {state === "live" ? (
          <>
            <p>An admin of a team you belong to asked to reset your two-factor authentication. Nothing has been removed yet.</p>
            <p>If you didn&apos;t ask for it, cancel the reset: your second factors stay as they are, and the admins who asked are told.</p>
            <KeepTwoFactorForm token={token} />
          </>
        ) : (
          <Alert tone={state === "invalid" ? "error" : "info"}>
            {state === "invalid" ? KEEP_MESSAGES.INVALID : "There is nothing to cancel: this reset was already canceled, used, or has expired."}
          </Alert>
        )}
        <Link href="/sign-in" className="block text-center font-medium text-indigo-700 hover:underline">
          Go to sign-in
        </Link>
      </div>
    </div>
  );
}
