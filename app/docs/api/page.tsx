import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { CodeBlock } from "@/components/docs/code-block";
import { Endpoint, endpointAnchor, MethodBadge } from "@/components/docs/endpoint";
import { ErrorList } from "@/components/docs/error-list";
import { SchemaFields } from "@/components/docs/schema-fields";
import { TryIt } from "@/components/docs/try-it";
import { Logo } from "@/components/ui/logo";
import { config } from "@/lib/config";
import { IDEMPOTENCY_TTL_HOURS } from "@/lib/verify-api/idempotency";
import { DEFAULT_CODE_LENGTH, MAX_CODE_LENGTH, MIN_CODE_LENGTH } from "@/lib/verify-api/schemas";
import {
  DOCUMENTED_ERRORS,
  API_OPERATIONS,
  API_SCHEMAS,
  apiBaseUrl,
  CODE_TTL_MINUTES,
  MAX_BODY_KIB,
  MAX_CHECKS,
  MAX_SENDS,
  phoneLimitsSentence,
  REQUESTS_PER_KEY_PER_SECOND,
  SENDS_PER_DESTINATION_PER_HOUR,
  SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS,
} from "@/lib/verify-api/openapi";

export const metadata: Metadata = {
  title: "Verify API",
  description: "Send one-time codes by SMS, voice call or email from your own backend, and check them.",
};

const link = "font-medium text-indigo-700 hover:underline";

const SECTIONS = [
  ["overview", "How it works"],
  ["authentication", "Authentication"],
  ["endpoints", "Endpoints"],
  ["errors", "Errors"],
  ["limits", "Rate limits"],
  ["idempotency", "Idempotency"],
  ["credits", "Credits"],
  ["where-codes-go", "Where codes can go"],
  ["try-it", "Try it"],
] as const;

/** The public reference of the Verify API; everything it states comes from lib/verify-api/openapi.ts, as the OpenAPI document does. */
export default function ApiDocsPage() {
  const baseUrl = apiBaseUrl();
  const endpoints = API_OPERATIONS.filter((operation) => operation.authenticated);
  const errorShape = JSON.stringify({ error: { code: "invalid_request", ...DOCUMENTED_ERRORS.invalid_request.example } }, null, 2);

  return (
    <div className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
      <header className="flex items-center justify-between gap-4">
        <div className="flex items-center gap-3">
          <Logo />
          <span className="rounded-full bg-indigo-50 px-3 py-1 text-xs font-medium text-indigo-800">API docs</span>
        </div>
        <nav aria-label="Site" className="flex items-center gap-4 text-sm">
          <a href="/api/v1/openapi.json" className="font-medium text-slate-700 hover:text-slate-900">
            OpenAPI
          </a>
          <Link href="/team/developers" className="font-medium text-slate-700 hover:text-slate-900">
            API keys
          </Link>
        </nav>
      </header>

      <div className="mt-10 lg:grid lg:grid-cols-[12rem_minmax(0,1fr)] lg:gap-12">
        <nav aria-label="On this page" className="mb-8 lg:mb-0">
          <div className="lg:sticky lg:top-8">
            <h2 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">On this page</h2>
            <ul className="mt-3 flex flex-wrap gap-x-4 gap-y-2 text-sm lg:flex-col">
              {SECTIONS.map(([id, title]) => (
                <li key={id}>
                  <a href={`#${id}`} className="text-slate-700 hover:text-indigo-700">
                    {title}
                  </a>
                  {id === "endpoints" && (
                    <ul className="mt-2 hidden space-y-1.5 border-l border-slate-200 pl-3 lg:block">
                      {endpoints.map((operation) => (
                        <li key={operation.id}>
                          <a href={`#${endpointAnchor(operation)}`} className="text-slate-600 hover:text-indigo-700">
                            {operation.summary}
                          </a>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          </div>
        </nav>

        <main className="max-w-3xl min-w-0 space-y-14 leading-relaxed">
          <div>
            <h1 className="text-3xl font-semibold tracking-tight text-balance sm:text-4xl">Verify API</h1>
            <p className="mt-3 text-lg text-slate-600">
              Put two-factor codes into your own product: your backend asks Tessera to send a one-time code to your user by SMS, voice call or
              email, then asks it to check the code they typed.
            </p>
            <p className="mt-3 text-sm text-slate-600">
              Base URL <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-800">{baseUrl}</code> · Machine-readable:{" "}
              <a href="/api/v1/openapi.json" className={link}>
                OpenAPI 3.1 document
              </a>
            </p>
          </div>

          <Section id="overview" title="How it works">
            <ol className="list-decimal space-y-2 pl-5 text-slate-700">
              <li>
                Your backend calls <code className="font-mono text-sm">POST /verifications</code> with the person&apos;s phone number or email
                address. Tessera sends a {DEFAULT_CODE_LENGTH}-digit code (up to {MAX_CODE_LENGTH} if you ask; never fewer than {MIN_CODE_LENGTH}, since a shorter code is guessable in its five tries) and returns a verification with its <code className="font-mono text-sm">id</code>.
              </li>
              <li>The person types the code into your site.</li>
              <li>
                Your backend calls <code className="font-mono text-sm">POST /verifications/{"{id}"}/check</code> with it. A{" "}
                <code className="font-mono text-sm">status</code> of <code className="font-mono text-sm">approved</code> means the code was right; let them in.
              </li>
            </ol>
            <p className="text-slate-700">
              A code expires after {CODE_TTL_MINUTES} minutes and survives {MAX_CHECKS} wrong tries. A new code to the same destination replaces the
              old one. If an SMS does not arrive, <code className="font-mono text-sm">POST /verifications/{"{id}"}/fallback</code> calls the number
              and reads a new code.
            </p>
          </Section>

          <Section id="authentication" title="Authentication">
            <p className="text-slate-700">
              Every request carries an API key of your team in the <code className="font-mono text-sm">Authorization</code> header. Owners and
              admins create keys in{" "}
              <Link href="/team/developers" className={link}>
                Team → Developers
              </Link>
              ; a key is shown once, so store it as a secret of your backend (here, <code className="font-mono text-sm">$TESSERA_API_KEY</code>).
              Never put it in a browser or an app. A missing, wrong or revoked key gets a <code className="font-mono text-sm">401</code>.
            </p>
            <CodeBlock code={`Authorization: Bearer tsk_live_…`} caption="HTTP header" label="Authorization header" />
            <p className="text-sm text-slate-600">
              Bodies are JSON (<code className="font-mono">Content-Type: application/json</code>, at most {MAX_BODY_KIB} KiB). Every answer is JSON.
            </p>
          </Section>

          <section id="endpoints" aria-labelledby="endpoints-title" className="scroll-mt-6 space-y-8">
            <div>
              <h2 id="endpoints-title" className="text-2xl font-semibold tracking-tight">
                Endpoints
              </h2>
              <ul className="mt-4 space-y-2 text-sm">
                {endpoints.map((operation) => (
                  <li key={operation.id} className="flex flex-wrap items-center gap-2">
                    <MethodBadge method={operation.method} />
                    <a href={`#${endpointAnchor(operation)}`} className="font-mono break-all text-indigo-700 hover:underline">
                      {operation.path}
                    </a>
                    <span className="text-slate-600">— {operation.summary}</span>
                  </li>
                ))}
              </ul>
            </div>
            <div className="space-y-2">
              <h3 className="text-lg font-semibold text-slate-900">The verification object</h3>
              <p className="text-slate-700">Every endpoint answers with this object (never the code).</p>
              <SchemaFields schema={API_SCHEMAS.Verification} label="Verification fields" />
            </div>
            {endpoints.map((operation) => (
              <Endpoint
                key={operation.id}
                operation={operation}
                baseUrl={baseUrl}
                requestSchema={operation.request ? API_SCHEMAS[operation.request.schema] : undefined}
              />
            ))}
          </section>

          <Section id="errors" title="Errors">
            <p className="text-slate-700">
              An error has a stable <code className="font-mono text-sm">code</code> to branch on and a <code className="font-mono text-sm">message</code>{" "}
              to log; a validation error names the <code className="font-mono text-sm">field</code>.
            </p>
            <CodeBlock code={errorShape} caption="400 · JSON" label="Error example" />
            <ErrorList
              label="Every error code"
              rows={Object.entries(DOCUMENTED_ERRORS).map(([code, { status, when }]) => ({ status, code, when }))}
            />
          </Section>

          <Section id="limits" title="Rate limits">
            <ul className="list-disc space-y-1 pl-5 text-slate-700">
              <li>{REQUESTS_PER_KEY_PER_SECOND} requests a second per API key.</li>
              <li>
                {SENDS_PER_DESTINATION_PER_HOUR} codes an hour from your team to one phone number or email address, and {SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS} from all teams together (fallback calls count; aliases such as <code>name+tag@</code> count as the same address).
              </li>
              <li>{MAX_CHECKS} checks per verification; the fifth wrong code fails it.</li>
              <li>{MAX_SENDS} sends per verification: the first and two fallback calls.</li>
              <li>{phoneLimitsSentence()}</li>
            </ul>
            <p className="text-slate-700">
              Over a limit, the answer is <code className="font-mono text-sm">429</code> with a{" "}
              <code className="font-mono text-sm">Retry-After</code> header: the seconds to wait.
            </p>
          </Section>

          <Section id="idempotency" title="Idempotency">
            <p className="text-slate-700">
              Network errors happen: send an <code className="font-mono text-sm">Idempotency-Key</code> header (any unique string up to 255
              characters, such as a UUID) with <code className="font-mono text-sm">POST /verifications</code>, and retry with the same key. Within{" "}
              {IDEMPOTENCY_TTL_HOURS} hours, a retry with the same body gets the first answer back, marked{" "}
              <code className="font-mono text-sm">Idempotent-Replayed: true</code>, and nothing is sent twice. The same key with a different body is
              a <code className="font-mono text-sm">409 idempotency_key_reused</code>. A <code className="font-mono text-sm">429</code> or a{" "}
              <code className="font-mono text-sm">5xx</code> is not remembered, so retrying those with the same key really tries again.
            </p>
          </Section>

          <Section id="credits" title="Credits">
            <p className="text-slate-700">
              Each SMS and each voice call costs 1 credit from the team of the API key; email is free. At 0 credits, SMS and voice requests get{" "}
              <code className="font-mono text-sm">402 insufficient_credits</code> and nothing is sent. A delivery the provider refuses costs
              nothing. Owners see the balance and every debit in{" "}
              <Link href="/team/credits" className={link}>
                Team → SMS credits
              </Link>
              .
            </p>
          </Section>

          <Section id="where-codes-go" title="Where codes can go">
            <p className="text-slate-700">
              SMS and voice codes cost real money on the way to some numbers, which is what toll fraud (&ldquo;SMS pumping&rdquo;) lives on, so
              each team decides where its codes may go, and some numbers get none:
            </p>
            <ul className="list-disc space-y-1 pl-5 text-slate-700">
              <li>
                Only to the countries the team allows (a new team: North America, much of Western Europe, Australia and New Zealand). Owners
                change the list under Team → SMS &amp; voice. Elsewhere: <code className="font-mono text-sm">403 country_not_allowed</code>.
              </li>
              <li>
                Never to premium-rate, shared-cost, toll-free, personal forwarding, UAN, voicemail or pager numbers; never a text to a
                landline (a <code className="font-mono text-sm">voice</code> call works); VoIP numbers unless the team turned them off:{" "}
                <code className="font-mono text-sm">403 line_type_not_allowed</code>. The line type comes from the numbering plan, not the
                carrier, so a number moved to a VoIP service still reads as mobile.
              </li>
              <li>
                A burst to one block of 1,000 numbers pauses the team&apos;s SMS and voice and emails its owners; until an owner resumes them,
                every SMS and voice request gets <code className="font-mono text-sm">403 sms_paused</code>. Email keeps working.
              </li>
            </ul>
            <p className="text-slate-700">None of these refusals sends anything or costs a credit.</p>
          </Section>

          <Section id="try-it" title="Try it">
            <p className="text-slate-700">
              Send a real code with one of your keys, then check it. It calls this server&apos;s API from your browser, exactly as your backend
              would.
            </p>
            <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
              <TryIt outboxEnabled={config.devOutboxEnabled} />
            </div>
          </Section>
        </main>
      </div>
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-6 space-y-4">
      <h2 id={`${id}-title`} className="text-2xl font-semibold tracking-tight">
        {title}
      </h2>
      {children}
    </section>
  );
}
