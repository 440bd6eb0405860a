import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "./_components/reset-password-form";
import { Alert } from "@/components/ui/alert";
import { describeResetLink } from "@/lib/auth/password-reset";
import type { FactorKind } from "@/lib/db/schema";

export const metadata: Metadata = { title: "Choose a new password" };

type Props = { searchParams: Promise<{ token?: string }> };

const YOUR: Record<Exclude<FactorKind, "email">, string> = {
  totp: "your authenticator app",
  webauthn: "your security key",
  sms: "your phone",
};

/** "your authenticator app, your phone or a recovery code" */
function either(options: string[]): string {
  return options.length <= 1 ? (options[0] ?? "") : `${options.slice(0, -1).join(", ")} or ${options.at(-1)}`;
}

/** What the next sign-in will ask of an account with an email factor (lib/factors/methods.ts listSignInMethods). */
function nextSignIn({ otherKinds, recoveryCodesLeft }: { otherKinds: FactorKind[]; recoveryCodesLeft: number }): string {
  const options = [...otherKinds.filter((k): k is Exclude<FactorKind, "email"> => k !== "email").map((k) => YOUR[k]), ...(recoveryCodesLeft > 0 ? ["a recovery code"] : [])];
  const why = "This link came by email, so your email can't also be your second factor this time.";
  if (options.length === 0) return `${why} You have no other factor and no recovery codes left: after this, a team admin will need to reset your two-factor authentication.`;
  return `When you next sign in you'll need ${either(options)} — not an email code. ${why}${otherKinds.length === 0 ? " Have your recovery codes at hand." : ""}`;
}

export default async function ResetPasswordPage({ searchParams }: Props) {
  const token = (await searchParams).token ?? "";
  const link = token.length <= 200 ? await describeResetLink(token) : null;
  const notice = link?.emailFactor ? nextSignIn(link) : null;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold">Choose a new password</h1>
      <div className="mt-6">
        {link ? (
          <ResetPasswordForm token={token} nextSignIn={notice} />
        ) : (
          <Alert tone="error">
            This link has expired or was already used.{" "}
            <Link href="/forgot-password" className="font-medium underline">
              Ask for a new link
            </Link>
          </Alert>
        )}
      </div>
    </div>
  );
}
