import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CreditsBalance } from "./_components/credits-balance";
import { CreditsLedger } from "./_components/credits-ledger";
import { CreditsTopUpForm } from "./_components/credits-top-up-form";
import { Card } from "@/components/ui/card";
import { requireTeamAdmin } from "@/lib/auth/current-team";
import { creditBalance, listLedger, LOW_CREDIT_BALANCE, MAX_TOP_UP, topUpAllowance } from "@/lib/teams/credits";

export const metadata: Metadata = { title: "SMS credits" };

const PAGE_SIZE = 25;

type Props = { searchParams: Promise<{ before?: string; after?: string }> };

/** A cursor from the address bar: a ledger `seq`, or nothing. */
const cursor = (value: string | undefined) => (value && /^\d{1,15}$/.test(value) ? Number(value) : null);

export default async function CreditsPage({ searchParams }: Props) {
  const { team } = await requireTeamAdmin();
  const params = await searchParams;
  const before = cursor(params.before);
  const after = before === null ? cursor(params.after) : null;
  const [balance, ledger, allowance] = await Promise.all([
    creditBalance(team.id),
    listLedger(team.id, { before, after, limit: PAGE_SIZE }),
    topUpAllowance(team.id),
  ]);
  if (balance === null) redirect("/dashboard");

  return (
    <div className="space-y-6">
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Balance" description="Each text-message code and voice call costs 1 credit. Authenticator apps, security keys and email codes are free.">
          <CreditsBalance balance={balance} low={LOW_CREDIT_BALANCE} />
        </Card>
        <Card
          title="Add credits"
          description={
            team.role === "owner"
              ? `Top-ups are recorded in the ledger with your name, and every owner gets an email. There is no payment step: this server lets a team add up to ${allowance.cap.toLocaleString("en-US")} credits in 24 hours.`
              : "Owners add credits; each top-up is recorded in the ledger."
          }
        >
          {team.role === "owner" ? (
            <CreditsTopUpForm teamId={team.id} max={Math.min(MAX_TOP_UP, allowance.remaining)} />
          ) : (
            <p className="text-sm text-slate-600" data-testid="owners-only">
              Only owners can add credits. Ask an owner of {team.name} when the balance runs low.
            </p>
          )}
        </Card>
      </div>
      <Card title="Ledger" description="Every credit spent or added, newest first, with the balance it left.">
        <CreditsLedger
          entries={ledger.entries}
          olderHref={ledger.olderCursor !== null ? `/team/credits?before=${ledger.olderCursor}` : null}
          newerHref={ledger.newerCursor !== null ? `/team/credits?after=${ledger.newerCursor}` : null}
          paged={before !== null || after !== null}
        />
      </Card>
    </div>
  );
}
