import type { ReactNode } from "react";
import { NavLink } from "@/components/dashboard/nav-link";

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="grid gap-8 md:grid-cols-[12rem_1fr]">
      <nav aria-label="Settings" className="flex gap-1 md:flex-col">
        <NavLink href="/settings/security">Security</NavLink>
      </nav>
      <div>{children}</div>
    </div>
  );
}
