import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button-class";
import { Logo } from "@/components/ui/logo";
import { currentUser } from "@/lib/auth/current-user";

export default async function Home() {
  if (await currentUser()) redirect("/dashboard");
  return (
    <div className="mx-auto flex min-h-screen max-w-3xl flex-col px-6 py-10">
      <header className="flex items-center justify-between">
        <Logo />
        <Link href="/sign-in" className="text-sm font-medium text-slate-700 hover:text-slate-900">
          Sign in
        </Link>
      </header>
      <main className="flex flex-1 flex-col justify-center py-16">
        <h1 className="text-4xl font-semibold tracking-tight text-balance sm:text-5xl">Two-factor authentication for your whole team.</h1>
        <p className="mt-4 max-w-xl text-lg text-slate-600">
          Authenticator apps, security keys, email and SMS codes, recovery codes — and a clear view of who on your team is protected.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link href="/sign-up" className={buttonClass("primary")}>
            Create an account
          </Link>
          <Link href="/sign-in" className={buttonClass("secondary")}>
            Sign in
          </Link>
        </div>
      </main>
    </div>
  );
}
