import Link from "next/link";
import { Logo } from "@/components/ui/logo";

export default function NotFound() {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <Logo />
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="text-sm text-slate-600">The page you asked for does not exist.</p>
      <Link href="/" className="text-sm font-medium text-indigo-700 hover:underline">
        Go home
      </Link>
    </div>
  );
}
