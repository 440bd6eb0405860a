import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Logo } from "@/components/ui/logo";

// No referrer leaves the auth pages: their URLs may carry tokens (reset links, callbacks).
export const metadata: Metadata = { referrer: "no-referrer" };

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center px-4 py-12 sm:py-20">
      <Logo />
      <main className="mt-8 w-full max-w-sm">{children}</main>
    </div>
  );
}
