import { ResponsiveTable, type Column } from "@/components/ui/responsive-table";
import { formatTime } from "@/lib/format/time";
import type { ApiKeySummary } from "@/lib/verify-api/keys";
import { ApiKeyRevoke } from "./api-key-revoke";
import { MembersTime } from "@/components/teams/members-time";

type Props = { teamId: string; keys: ApiKeySummary[]; now: Date };

const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

function Prefix({ prefix }: { prefix: string }) {
  return (
    <code className="font-mono text-xs whitespace-nowrap" title="The start of the key; the rest is never shown again">
      {prefix}…
    </code>
  );
}

function Status({ revokedAt }: { revokedAt: Date | null }) {
  if (!revokedAt) return <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-emerald-200">Active</span>;
  return (
    <span className="text-xs whitespace-nowrap text-slate-600">
      Revoked{" "}
      <time dateTime={revokedAt.toISOString()} title={formatTime(revokedAt)}>
        {day.format(revokedAt)}
      </time>
    </span>
  );
}

function Created({ apiKey, now }: { apiKey: ApiKeySummary; now: Date }) {
  return (
    <>
      <MembersTime date={apiKey.createdAt} now={now} /> by {apiKey.createdByName ?? "a former member"}
    </>
  );
}

/**
 * The team's keys: live ones first, then revoked ones, muted and without actions. A table on
 * wide screens, a list on narrow ones (the table would need sideways scrolling there).
 */
export function ApiKeyTable({ teamId, keys, now }: Props) {
  const revoke = (apiKey: ApiKeySummary) => <ApiKeyRevoke teamId={teamId} keyId={apiKey.id} name={apiKey.name} prefix={apiKey.prefix} />;
  const columns: Column<ApiKeySummary>[] = [
    { header: "Name", className: "max-w-56 py-2.5 pr-4 font-medium wrap-anywhere", cell: (apiKey) => apiKey.name },
    { header: "Key", className: "py-2.5 pr-4", cell: (apiKey) => <Prefix prefix={apiKey.prefix} /> },
    { header: "Created", className: "py-2.5 pr-4 text-slate-600", cell: (apiKey) => <Created apiKey={apiKey} now={now} /> },
    { header: "Last used", className: "py-2.5 pr-4 text-slate-600", cell: (apiKey) => <MembersTime date={apiKey.lastUsedAt} now={now} /> },
    { header: "Status", className: "py-2.5 pr-4", testId: "api-key-status", cell: (apiKey) => <Status revokedAt={apiKey.revokedAt} /> },
    { header: <span className="sr-only">Actions</span>, align: "right", className: "py-1.5 text-right", cell: (apiKey) => !apiKey.revokedAt && revoke(apiKey) },
  ];
  return (
    <ResponsiveTable
      rows={keys}
      rowKey={(apiKey) => apiKey.id}
      columns={columns}
      rowTestId="api-key-row"
      rowClassName={(apiKey) => (apiKey.revokedAt ? "text-slate-500 [&_td]:text-slate-500" : "text-slate-800")}
      label="API keys"
      cardClassName={(apiKey) => `flex items-start justify-between gap-3 py-3 text-sm ${apiKey.revokedAt ? "text-slate-500 [&_p]:text-slate-500" : "text-slate-800"}`}
      card={(apiKey) => (
        <>
          <div className="min-w-0 space-y-1">
            <p className="flex flex-wrap items-center gap-2">
              <span className="font-medium wrap-anywhere">{apiKey.name}</span>
              <Status revokedAt={apiKey.revokedAt} />
            </p>
            <p>
              <Prefix prefix={apiKey.prefix} />
            </p>
            <p className="text-xs text-slate-600">
              Created <Created apiKey={apiKey} now={now} />
            </p>
            <p className="text-xs text-slate-600">
              {apiKey.lastUsedAt ? (
                <>
                  Last used <MembersTime date={apiKey.lastUsedAt} now={now} />
                </>
              ) : (
                "Never used"
              )}
            </p>
          </div>
          {!apiKey.revokedAt && <div className="shrink-0">{revoke(apiKey)}</div>}
        </>
      )}
    />
  );
}
