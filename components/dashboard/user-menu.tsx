import Link from "next/link";
import { SignOutButton } from "./sign-out-button";

/** The account menu in the top bar. <details> opens and closes without any script. */
export function UserMenu({ name, email }: { name: string; email: string }) {
  const initials = name
    .split(/\s+/)
    .map((part) => part[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <details className="group relative">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-slate-100 [&::-webkit-details-marker]:hidden">
        <span aria-hidden="true" className="grid size-8 place-items-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-800">
          {initials}
        </span>
        <span className="hidden max-w-40 truncate font-medium text-slate-800 sm:inline" data-testid="user-name">
          {name}
        </span>
        <span className="sr-only">Open account menu</span>
        <svg viewBox="0 0 20 20" className="size-4 text-slate-500 group-open:rotate-180" fill="currentColor" aria-hidden="true">
          <path d="M5.5 7.5 10 12l4.5-4.5" stroke="currentColor" strokeWidth="1.5" fill="none" />
        </svg>
      </summary>
      <div role="menu" className="absolute right-0 z-10 mt-2 w-64 max-w-[calc(100vw-1.5rem)] overflow-hidden rounded-md border border-slate-200 bg-white py-1 shadow-lg">
        <div className="border-b border-slate-100 px-4 py-2">
          <p className="truncate text-sm font-medium text-slate-900">{name}</p>
          <p className="truncate text-xs text-slate-600">{email}</p>
        </div>
        <Link role="menuitem" href="/settings/security" className="block px-4 py-2 text-sm text-slate-700 hover:bg-slate-50">
          Security settings
        </Link>
        <SignOutButton />
      </div>
    </details>
  );
}
