import type { Metadata } from "next";
import Link from "next/link";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";
import { Alert } from "@/components/ui/alert";
import { isResetTokenLive } from "@/lib/auth/password-reset";

export const metadata: Metadata = { title: "Choose a new password" };

type Props = { searchParams: Promise<{ token?: string }> };

export default async function ResetPasswordPage({ searchParams }: Props) {
  const token = (await searchParams).token ?? "";
  const live = token.length <= 200 && (await isResetTokenLive(token));
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold">Choose a new password</h1>
      <div className="mt-6">
        {live ? (
          <ResetPasswordForm token={token} />
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
