import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { StepUpPrompt } from "@/components/factors/step-up-prompt";
import { requireUser } from "@/lib/auth/current-user";
import { safeCallbackUrl } from "@/lib/auth/redirect";
import { listPromptMethods } from "@/lib/factors/methods";
import { countRecoveryCodes } from "@/lib/factors/recovery/recovery-codes";

export const metadata: Metadata = { title: "Confirm it's you" };

type Props = { searchParams: Promise<{ next?: string }> };

export default async function ConfirmPage({ searchParams }: Props) {
  const user = await requireUser();
  const next = safeCallbackUrl((await searchParams).next, "/settings/security");
  const [methods, recoveryCodesLeft] = await Promise.all([listPromptMethods(user.id), countRecoveryCodes(user.id)]);
  if (methods.length === 0) redirect(next);
  return (
    <div className="max-w-md space-y-4">
      <Link href="/settings/security" className="text-sm text-indigo-700 hover:underline">
        ← Back to security settings
      </Link>
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">Confirm it&apos;s you</h1>
        <p className="mt-1 mb-5 text-sm text-slate-600">Changing how you sign in needs your second factor again. It stays confirmed for 10 minutes.</p>
        <StepUpPrompt methods={methods.map(({ kind, label, hint }) => ({ kind, label, hint }))} recoveryCodesLeft={recoveryCodesLeft} next={next} />
      </div>
    </div>
  );
}
