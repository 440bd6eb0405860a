import { config } from "@/lib/config";
import { maskRecipient } from "@/lib/messaging/redact";

/**
 * Tessera's one logger. Production writes one JSON object per line (what log collectors
 * parse); development writes the same facts readably. Two rules hold for every line:
 * - a query's parameters are never written (drizzle puts them, recipients and key hashes
 *   among them, into its error's message), and
 * - the cause of an error is always written: the database's own code and message are what
 *   tell a lost connection from a conflict or a timeout.
 * Fields named like a recipient (`to`, `email`, `phone`, `recipient`) are masked as
 * lib/messaging/redact.ts masks them.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
type Level = "info" | "warn" | "error";

export type ErrorFacts = { name: string; message: string; code?: string; cause?: ErrorFacts };

const RECIPIENT_FIELDS = new Set(["to", "email", "phone", "recipient"]);
const MAX_CAUSES = 4;

/** What can be said about an error without its data: name, code, message, and its causes'. */
export function describeError(error: unknown, depth = 0): ErrorFacts {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const facts: ErrorFacts = { name: error.name, message: safeMessage(error) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") facts.code = String(code);
  if (error.cause !== undefined && depth < MAX_CAUSES) facts.cause = describeError(error.cause, depth + 1);
  return facts;
}

/** drizzle's "Failed query: …\nparams: …" keeps its SQL (placeholders only) and loses the values. */
function safeMessage(error: Error): string {
  const params = error.message.indexOf("\nparams:");
  return params === -1 ? error.message : error.message.slice(0, params);
}

function maskFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = RECIPIENT_FIELDS.has(key) && typeof value === "string" ? maskRecipient(value) : value;
  }
  return out;
}

function readable(facts: ErrorFacts): string {
  const head = `${facts.name}${facts.code ? ` ${facts.code}` : ""}: ${facts.message}`;
  return facts.cause ? `${head} ← ${readable(facts.cause)}` : head;
}

function write(level: Level, event: string, fields: LogFields = {}, error?: unknown): void {
  const masked = maskFields(fields);
  const facts = error === undefined ? undefined : describeError(error);
  const stream = level === "info" ? process.stdout : process.stderr;
  if (config.isProduction) {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...masked, ...(facts && { error: facts }) })}\n`);
    return;
  }
  const pairs = Object.entries(masked).map(([key, value]) => `${key}=${typeof value === "string" && /\s/.test(value) ? JSON.stringify(value) : value}`);
  stream.write(`${level} ${event}${pairs.length ? ` ${pairs.join(" ")}` : ""}${facts ? ` — ${readable(facts)}` : ""}\n`);
}

/**
 * `event` names what happened, dotted (`messaging.send_failed`); fields add the ids that let
 * someone find the row; `error`, when given, is described with its causes.
 */
export const log = {
  info: (event: string, fields?: LogFields) => write("info", event, fields),
  warn: (event: string, fields?: LogFields, error?: unknown) => write("warn", event, fields, error),
  error: (event: string, fields?: LogFields, error?: unknown) => write("error", event, fields, error),
};
