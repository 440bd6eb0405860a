import type { ReactNode } from "react";
import { NavLink } from "@/components/dashboard/nav-link";
import { UserMenu } from "@/components/dashboard/user-menu";
import { Logo } from "@/components/ui/logo";
import { requireUser } from "@/lib/auth/current-user";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-5xl items-center justify-between gap-2 px-3 sm:gap-4 sm:px-4">
          <div className="flex min-w-0 items-center gap-2 sm:gap-6">
            <Logo href="/dashboard" compact />
            <nav aria-label="Main" className="flex gap-1">
              <NavLink href="/dashboard">Dashboard</NavLink>
              <NavLink href="/settings">Settings</NavLink>
            </nav>
          </div>
          <UserMenu name={user.name} email={user.email} />
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
    </div>
  );
}
