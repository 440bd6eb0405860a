"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { timeLeftPhrase } from "@/lib/format/wait";

/**
 * Shown while a team's 2FA requirement is in its grace period: who requires it and how long
 * is left, counting down each minute. At zero the next request sends the user to set it up.
 */
export function GraceBanner({ teams, endsAt }: { teams: string; endsAt: string }) {
  const end = new Date(endsAt).getTime();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const left = end - now;
  return (
    <div role="status" className="border-b border-amber-200 bg-amber-50" data-testid="grace-banner">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm text-amber-900">
        <p>
          {teams} requires two-factor authentication.{" "}
          {left > 0 ? (
            <>
              Set it up within <strong className="font-semibold">{timeLeftPhrase(left)}</strong>, or you won&apos;t be able to use Tessera until you do.
            </>
          ) : (
            <>Your grace period is over: set it up now to keep using Tessera.</>
          )}
        </p>
        <Link href="/setup-2fa" className="rounded-md bg-amber-900 px-3 py-1.5 font-medium text-white hover:bg-amber-800">
          Set up now
        </Link>
      </div>
    </div>
  );
}
