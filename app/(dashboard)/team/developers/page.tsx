import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { z } from "zod";
import { ApiKeyCreateForm } from "./_components/api-key-create-form";
import { ListNoticeProvider } from "@/components/ui/list-notice";
import { ApiKeyTable } from "./_components/api-key-table";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireTeamAdmin } from "@/lib/auth/current-team";
import { hasSecondFactor } from "@/lib/factors";
import { creditBalance } from "@/lib/teams/credits";
import { listApiKeys, MAX_KEY_NAME_LENGTH, MAX_KEYS_PER_TEAM } from "@/lib/verify-api/keys";

export const metadata: Metadata = { title: "Developers" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** `?name=` carries the name typed before "Confirm it's you"; anything else is ignored. */
const query = z.object({ name: z.string().max(MAX_KEY_NAME_LENGTH).optional().catch(undefined) });

const link = "font-medium text-indigo-700 hover:underline";
const count = (n: number) => n.toLocaleString("en-US");

export default async function DevelopersPage({ searchParams }: Props) {
  const { user, team } = await requireTeamAdmin();
  const { name } = query.parse(await searchParams);
  const [keys, balance, canCreate] = await Promise.all([listApiKeys(team.id), creditBalance(team.id), hasSecondFactor(user.id)]);
  if (balance === null) redirect("/dashboard");
  const live = keys.filter((key) => !key.revokedAt).length;
  const now = new Date();

  return (
    <div className="space-y-6">
      <section aria-labelledby="developers-title" className="space-y-2 rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-sm">
        <h2 id="developers-title" className="text-base font-semibold text-slate-900">
          Verify API
        </h2>
        <p className="text-sm text-slate-700">
          Send and check one-time codes from your own backend: one request sends a code by SMS, voice call or email, a second one checks what your
          user typed. Each request carries an API key of this team.{" "}
          <Link href="/docs/api" className={link}>
            Read the API docs
          </Link>
        </p>
        <p className={`text-sm ${balance === 0 ? "text-red-700" : "text-slate-600"}`} data-testid="api-credits">
          SMS and voice codes cost 1 credit each; this team has {count(balance)} left.{" "}
          {balance === 0 ? "Until you add some, SMS and voice requests are refused (email codes are free). " : "Email codes are free. "}
          <Link href="/team/credits" className={link}>
            Add credits
          </Link>
        </p>
      </section>

      <Card title="Create API key" description="Give each backend its own key, so you can revoke one without touching the others.">
        {canCreate ? (
          <ApiKeyCreateForm teamId={team.id} maxNameLength={MAX_KEY_NAME_LENGTH} defaultName={name} />
        ) : (
          <Alert tone="warning">
            Creating API keys needs two-factor authentication on your account: a key sends messages and spends this team&apos;s credits, so a
            password alone should not be enough to make one.{" "}
            <Link href="/settings/security" className="font-medium underline">
              Set up two-factor authentication
            </Link>
          </Alert>
        )}
      </Card>

      <Card
        title="API keys"
        description={
          keys.length === 0
            ? undefined
            : `${count(live)} of ${MAX_KEYS_PER_TEAM} active keys. Revoked keys stop working at once and stay listed for the record.`
        }
      >
        <ListNoticeProvider testId="api-key-notice">
          {keys.length === 0 ? (
            <p className="py-6 text-center text-sm text-slate-600" data-testid="api-keys-empty">
              No API keys yet. Create one for each backend that sends codes — production and staging, say — and they appear here with when they
              were last used.
            </p>
          ) : (
            <ApiKeyTable teamId={team.id} keys={keys} now={now} />
          )}
        </ListNoticeProvider>
      </Card>
    </div>
  );
}
