"use client";

import { useId, useState, type FormEvent, type InputHTMLAttributes } from "react";
import { useHydrated } from "@/components/auth/use-hydrated";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { RichText } from "./rich-text";

type Channel = "sms" | "voice" | "email";
/** What the API answered, or why there is no answer. */
type Answer = { status: number; body: unknown } | { unreachable: true };
type Verification = { id: string; status: string; attempts_left: number; to: string; channel: Channel };

const DESTINATION = {
  sms: { label: "Phone number", type: "tel", placeholder: "+14155552671", hint: "With its country code and the +. Costs 1 credit." },
  voice: { label: "Phone number", type: "tel", placeholder: "+14155552671", hint: "With its country code and the +. Costs 1 credit." },
  email: { label: "Email address", type: "email", placeholder: "you@example.com", hint: "Email codes are free." },
} as const;

/** POSTs JSON to the API with the pasted key; the key goes in this header and nowhere else. */
async function post(path: string, apiKey: string, body: unknown): Promise<Answer> {
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey.trim()}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): shown as text.
    }
    return { status: response.status, body: parsed };
  } catch {
    return { unreachable: true };
  }
}

function errorMessage(answer: Answer): string | null {
  if ("unreachable" in answer) return "The server could not be reached. Check your connection and try again.";
  if (answer.status < 400) return null;
  const error = (answer.body as { error?: { code?: string; message?: string } } | null)?.error;
  return error?.message ? `${error.message} (${answer.status} ${error.code})` : `The API answered ${answer.status}.`;
}

const asVerification = (answer: Answer | null): Verification | null =>
  answer && "status" in answer && answer.status < 400 ? (answer.body as Verification) : null;

/**
 * "Try it": send a real code with a real key, then check it. The key lives in this
 * component's state only — no storage, no URL, no form submission — and is gone on reload.
 */
export function TryIt({ outboxEnabled }: { outboxEnabled: boolean }) {
  const hydrated = useHydrated();
  const [apiKey, setApiKey] = useState("");
  const [channel, setChannel] = useState<Channel>("sms");
  const [to, setTo] = useState("");
  const [code, setCode] = useState("");
  const [sending, setSending] = useState(false);
  const [checking, setChecking] = useState(false);
  const [sent, setSent] = useState<Answer | null>(null);
  const [checked, setChecked] = useState<Answer | null>(null);
  const verification = asVerification(sent);
  const destination = DESTINATION[channel];

  async function send(event: FormEvent) {
    event.preventDefault();
    setSending(true);
    setChecked(null);
    setCode("");
    setSent(await post("/api/v1/verifications", apiKey, { to: to.trim(), channel }));
    setSending(false);
  }

  async function check(event: FormEvent) {
    event.preventDefault();
    if (!verification) return;
    setChecking(true);
    setChecked(await post(`/api/v1/verifications/${verification.id}/check`, apiKey, { code: code.trim() }));
    setChecking(false);
  }

  return (
    <div className="space-y-6">
      <form onSubmit={send} className="space-y-4" data-ready={hydrated || undefined} aria-label="Send a code" noValidate>
        <Input
          label="API key"
          type="password"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          placeholder="tsk_live_…"
          required
          hint="Kept only in this page's memory while it is open: never stored, and sent only to this server's API."
        />
        <div className="grid gap-4 sm:grid-cols-[10rem_1fr]">
          <div>
            <label htmlFor="try-channel" className="block text-sm font-medium text-slate-800">
              Channel
            </label>
            <select
              id="try-channel"
              value={channel}
              onChange={(e) => setChannel(e.target.value as Channel)}
              className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none"
            >
              <option value="sms">SMS</option>
              <option value="voice">Voice call</option>
              <option value="email">Email</option>
            </select>
          </div>
          <Input
            label={destination.label}
            type={destination.type}
            value={to}
            onChange={(e) => setTo(e.target.value)}
            autoComplete="off"
            placeholder={destination.placeholder}
            required
            hint={destination.hint}
          />
        </div>
        {/* Disabled until React runs: a native submit would put the fields in the URL. */}
        <Button type="submit" pending={sending} pendingText="Sending…" disabled={!hydrated || !apiKey.trim() || !to.trim()}>
          Send code
        </Button>
      </form>

      {sent && <AnswerView title="Send code" answer={sent} />}

      {verification && (
        <form onSubmit={check} className="space-y-4 border-t border-slate-200 pt-6" aria-label="Check the code" noValidate>
          <p className="text-sm text-slate-700">
            {outboxEnabled ? (
              <>
                This server keeps messages in its development outbox instead of sending them.{" "}
                <a href="/dev/outbox" target="_blank" rel="noopener" className="font-medium text-indigo-700 hover:underline">
                  Open the outbox in a new tab
                </a>{" "}
                to read the code.
              </>
            ) : (
              <>The code arrives {verification.channel === "email" ? "by email" : verification.channel === "voice" ? "by a phone call" : "by SMS"} to {verification.to}.</>
            )}
          </p>
          <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
            <Input
              label="Code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={10}
              required
              className="sm:w-48"
            />
            <Button type="submit" pending={checking} pendingText="Checking…" disabled={!code.trim()}>
              Check code
            </Button>
          </div>
        </form>
      )}

      {checked && <AnswerView title="Check code" answer={checked} outcome />}
    </div>
  );
}

function Input({ label, hint, className = "", ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string }) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none"
        {...input}
      />
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
    </div>
  );
}

const OUTCOME: Record<string, { tone: "success" | "info" | "warning"; text: (v: Verification) => string }> = {
  approved: { tone: "success", text: () => "Approved: the code was right." },
  pending: { tone: "warning", text: (v) => `Wrong code: ${v.attempts_left} ${v.attempts_left === 1 ? "try" : "tries"} left.` },
  failed: { tone: "warning", text: () => "Failed: too many wrong codes. Send a new one." },
  expired: { tone: "info", text: () => "Expired: send a new code." },
  canceled: { tone: "info", text: () => "Canceled: a newer code was sent to the same destination." },
};

/** The API's answer: its error message when it refused, an outcome line for a check, and the raw JSON. */
function AnswerView({ title, answer, outcome = false }: { title: string; answer: Answer; outcome?: boolean }) {
  const error = errorMessage(answer);
  const verification = outcome ? asVerification(answer) : null;
  const summary = verification ? OUTCOME[verification.status] : undefined;
  return (
    <section aria-label={`${title}: response`} className="space-y-2">
      {error && (
        <Alert tone="error">
          <RichText text={error} />
        </Alert>
      )}
      {verification && summary && <Alert tone={summary.tone}>{summary.text(verification)}</Alert>}
      {"status" in answer && (
        <>
          <p className="text-sm text-slate-700">
            Response <span className="font-mono font-medium text-slate-900">{answer.status}</span>
          </p>
          <pre
            tabIndex={0}
            aria-label={`${title}: response body`}
            data-testid="try-it-response"
            className="overflow-x-auto rounded-md bg-slate-900 p-4 font-mono text-[13px] leading-relaxed break-words whitespace-pre-wrap text-slate-100"
          >
            {typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body, null, 2)}
          </pre>
        </>
      )}
    </section>
  );
}
