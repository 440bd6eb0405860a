import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvitationForm, InvitationSignOut } from "./_components/invitation-accept";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-class";
import { currentUser } from "@/lib/auth/current-user";
import { allowedMethodsPhrase, describeInvitation, ROLE_WITH_ARTICLE } from "@/lib/teams/invitations";

export const metadata: Metadata = { title: "Team invitation" };

type Props = { params: Promise<{ token: string }> };

/** Where an invitation link lands (the (auth) layout sends no referrer: the token is in the URL). */
export default async function InvitePage({ params }: Props) {
  const { token } = await params;
  const [described, user] = await Promise.all([describeInvitation(token), currentUser()]);

  if (!described.ok) {
    return (
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold">Team invitation</h1>
        <div className="mt-6 space-y-4">
          <Alert tone="error">{described.message} Ask the person who invited you for a new one.</Alert>
          <Link href={user ? "/dashboard" : "/"} className="block text-center text-sm font-medium text-indigo-700 hover:underline">
            {user ? "Go to your dashboard" : "Go to the home page"}
          </Link>
        </div>
      </div>
    );
  }

  const invitation = described.invitation;
  const here = `/invite/${token}`;
  const back = encodeURIComponent(here);
  const methods = allowedMethodsPhrase(invitation);
  const rightAccount = user?.email.toLowerCase() === invitation.email;

  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold text-balance">
        {invitation.inviterName ? `${invitation.inviterName} invited you to join ${invitation.teamName}` : `You're invited to join ${invitation.teamName}`}
      </h1>
      <p className="mt-1 text-sm text-slate-600">
        You&apos;ll join as {ROLE_WITH_ARTICLE[invitation.role]}. The invitation is for{" "}
        <span className="font-medium wrap-anywhere text-slate-800">{invitation.email}</span>.
      </p>

      <div className="mt-6 space-y-4">
        {invitation.requireTwoFactor && (
          <Alert tone="info">
            <strong className="font-semibold">This team requires two-factor authentication.</strong> You&apos;ll set up a second factor before you
            can use it. Allowed methods: {methods}.
          </Alert>
        )}

        {rightAccount ? (
          <AcceptInvitationForm token={token} />
        ) : user ? (
          <>
            <Alert tone="warning">
              You&apos;re signed in as <span className="font-medium wrap-anywhere">{user.email}</span>. This invitation is for{" "}
              <span className="font-medium wrap-anywhere">{invitation.email}</span>: sign out, then sign in or create an account with that address.
            </Alert>
            <InvitationSignOut returnTo={here} />
          </>
        ) : (
          <>
            <p className="text-sm text-slate-700">
              Sign in with <span className="font-medium wrap-anywhere">{invitation.email}</span> to accept, or create an account with that address.
            </p>
            <div className="flex flex-col gap-3">
              <Link href={`/sign-in?callbackUrl=${back}`} className={buttonClass("primary", "w-full")}>
                Sign in to accept
              </Link>
              <Link href={`/sign-up?callbackUrl=${back}&email=${encodeURIComponent(invitation.email)}`} className={buttonClass("secondary", "w-full")}>
                Create an account
              </Link>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
