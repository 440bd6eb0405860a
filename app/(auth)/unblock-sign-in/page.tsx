import type { Metadata } from "next";
import Link from "next/link";
import { UnblockForm } from "./_components/unblock-form";
import { Alert } from "@/components/ui/alert";
import { UNBLOCK_LINK_DEAD, unblockLinkLive } from "@/lib/auth/second-step-guard";

export const metadata: Metadata = { title: "Unblock signing in" };

type Props = { searchParams: Promise<{ token?: string }> };

/** Opened from the emailed link. GET only reads: the block lifts when the person confirms (a POST). */
export default async function UnblockSignInPage({ searchParams }: Props) {
  const token = (await searchParams).token ?? "";
  const live = await unblockLinkLive(token);
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold">Unblock signing in</h1>
      <div className="mt-6">
        {live ? (
          <UnblockForm token={token} />
        ) : (
          <Alert tone="error">
            {UNBLOCK_LINK_DEAD}{" "}
            <Link href="/sign-in" className="font-medium underline">
              Sign in
            </Link>
          </Alert>
        )}
      </div>
    </div>
  );
}
