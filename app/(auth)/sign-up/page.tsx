import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { currentUser } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage() {
  if (await currentUser()) redirect("/dashboard");
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold">Create your account</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">Two-factor authentication for you and your team.</p>
      <SignUpForm />
    </div>
  );
}
