"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { Spinner } from "@/components/ui/spinner";

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      role="menuitem"
      disabled={pending}
      aria-busy={pending || undefined}
      onClick={() => {
        setPending(true);
        void signOut({ callbackUrl: "/sign-in" });
      }}
      className="flex w-full items-center gap-2 px-4 py-2 text-left text-sm text-slate-700 hover:bg-slate-50 disabled:text-slate-400"
    >
      {pending && <Spinner />}
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
