/**
 * Calls the Verify API's route handlers the way Next does (a `Request` and a `params`
 * promise), for the integration and property tests. Not imported by the app.
 */
import { eq, sql } from "drizzle-orm";
import * as catchAll from "@/app/api/v1/[...path]/route";
import * as check from "@/app/api/v1/verifications/[id]/check/route";
import * as fallback from "@/app/api/v1/verifications/[id]/fallback/route";
import * as one from "@/app/api/v1/verifications/[id]/route";
import * as collection from "@/app/api/v1/verifications/route";
import { db } from "@/lib/db";
import { creditLedger, memberships, messageDeliveries, outbox, teams, users, verifications } from "@/lib/db/schema";
import { meta, uniqueEmail } from "@/tests/helpers";
import { createApiKey } from "@/lib/verify-api/keys";

export const BASE = "http://localhost:3000";

type Route = Record<string, unknown>;
type Handler = (request: Request, context: { params: Promise<Record<string, unknown>> }) => Promise<Response> | Response;

/** Next's matching: static segments before dynamic ones, the catch-all last. */
function route(path: string): { module: Route; params: Record<string, unknown> } {
  const parts = path.split("?")[0]!.split("/").filter(Boolean);
  const [api, v1, resource, id, action] = parts;
  if (api === "api" && v1 === "v1" && resource === "verifications") {
    if (parts.length === 3) return { module: collection, params: {} };
    if (parts.length === 4) return { module: one, params: { id: decodeURIComponent(id!) } };
    if (parts.length === 5 && action === "check") return { module: check, params: { id: decodeURIComponent(id!) } };
    if (parts.length === 5 && action === "fallback") return { module: fallback, params: { id: decodeURIComponent(id!) } };
  }
  return { module: catchAll, params: { path: parts.slice(2) } };
}

export type CallOptions = {
  key?: string | null;
  /** A value sent as JSON, or a string/stream sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
};

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.key) headers.set("authorization", `Bearer ${options.key}`);
  let body: BodyInit | undefined;
  if (options.body instanceof ReadableStream || typeof options.body === "string" || options.body instanceof Uint8Array) {
    body = options.body as BodyInit;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const request = new Request(BASE + path, { method, headers, body, duplex: "half" } as RequestInit);
  const { module, params } = route(path);
  const handler = module[method] as Handler | undefined;
  if (!handler) throw new Error(`no ${method} handler for ${path}`);
  return handler(request, { params: Promise.resolve(params) });
}

export const post = (path: string, body: unknown, key: string | null, headers?: Record<string, string>) => call("POST", path, { key, body, headers });
export const get = (path: string, key: string | null) => call("GET", path, { key });

/**
 * An owner, their team "Acme" (50 credits, as every new team), and a live API key of that
 * team. Rows are written directly: a real sign-up spends a scrypt hash the API never needs.
 */
export async function keyedTeam(teamName = "Acme") {
  const [user] = await db()
    .insert(users)
    .values({ name: "Ada Lovelace", email: uniqueEmail("dev"), passwordHash: "not-a-password-hash" })
    .returning({ id: users.id });
  const [team] = await db().insert(teams).values({ name: teamName }).returning({ id: teams.id });
  await db().insert(memberships).values({ teamId: team!.id, userId: user!.id, role: "owner" });
  const created = await createApiKey(team!.id, { id: user!.id }, "Test backend", meta);
  if (!created.ok) throw new Error(`createApiKey failed: ${created.message}`);
  return { userId: user!.id, teamId: team!.id, key: created.key, keyId: created.apiKey.id };
}

export async function setBalance(teamId: string, balance: number) {
  await db().update(teams).set({ creditBalance: balance }).where(eq(teams.id, teamId));
}

/** What a 4xx must leave untouched. */
export async function footprint(teamId: string) {
  const count = async (table: typeof verifications | typeof outbox | typeof messageDeliveries | typeof creditLedger) => {
    const [row] = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(table);
    return row!.n;
  };
  const [team] = await db().select({ balance: teams.creditBalance }).from(teams).where(eq(teams.id, teamId));
  return {
    verifications: await count(verifications),
    outbox: await count(outbox),
    deliveries: await count(messageDeliveries),
    ledger: await count(creditLedger),
    balance: team!.balance,
  };
}

/**
 * The code in the newest message to `to`, read from the outbox as a person would: the
 * digits of a text message or email, or the digits a voice call spells out.
 */
export async function codeSentTo(to: string): Promise<string> {
  const [message] = await db().select().from(outbox).where(eq(outbox.to, to)).orderBy(sql`${outbox.seq} desc`).limit(1);
  const text = message?.text ?? "";
  const spoken = text.match(/((?:\d\. )+\d\.)/)?.[1];
  const code = spoken ? spoken.replace(/\D/g, "") : text.match(/ (\d{4,10})\./)?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}
