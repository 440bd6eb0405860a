import { Alert } from "@/components/ui/alert";

/** The balance as a big number, with what it means when it runs low or out. */
export function CreditsBalance({ balance, low }: { balance: number; low: number }) {
  return (
    <div className="space-y-3">
      <p className="flex items-baseline gap-2">
        <span className={`text-4xl font-semibold tabular-nums tracking-tight ${balance === 0 ? "text-red-700" : balance < low ? "text-amber-700" : "text-slate-900"}`} data-testid="credit-balance">
          {balance.toLocaleString("en-US")}
        </span>
        <span className="text-sm text-slate-600">credit{balance === 1 ? "" : "s"} left</span>
      </p>
      {balance === 0 ? (
        <Alert tone="error">
          No credits left: text-message and voice codes are refused. Members are asked to use another method — authenticator apps, security keys and
          email codes keep working.
        </Alert>
      ) : (
        balance < low && (
          <Alert tone="warning">
            Running low. At 0, text-message and voice codes stop and members must use another method.
          </Alert>
        )
      )}
    </div>
  );
}
