import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { Logo } from "@/components/ui/logo";
import { config } from "@/lib/config";
import { formatTime } from "@/lib/format/time";
import { listOutbox } from "@/lib/messaging";

export const metadata: Metadata = { title: "Outbox", robots: { index: false } };

const channelNames = { email: "Email", sms: "SMS", voice: "Voice call" } as const;

type Props = { searchParams: Promise<{ before?: string }> };

/** Every message the built-in provider "sent", newest first. Development only. */
export default async function OutboxPage({ searchParams }: Props) {
  if (!config.devOutboxEnabled) notFound();
  const before = Number.parseInt((await searchParams).before ?? "", 10);
  const { messages, nextBefore } = await listOutbox(Number.isSafeInteger(before) && before > 0 ? before : undefined);
  return (
    <div className="mx-auto max-w-3xl px-4 py-8">
      <header className="flex items-center justify-between">
        <Logo />
        <span className="rounded-full bg-amber-100 px-3 py-1 text-xs font-medium text-amber-900">Development outbox</span>
      </header>
      <main className="mt-8 space-y-4">
        <h1 className="text-2xl font-semibold tracking-tight">Outbox</h1>
        <Alert tone="warning">
          No email, SMS or call leaves this server: every message is kept here instead. Set a provider&apos;s keys to deliver for real
          (see README, “Configuration”).
        </Alert>
        {messages.length === 0 && <p className="py-12 text-center text-sm text-slate-600">No messages yet. Sign up to receive a welcome email.</p>}
        <ol className="space-y-3" aria-label="Messages, newest first">
          {messages.map((message) => (
            <li key={message.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="outbox-message">
              <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
                <p>
                  <span className="font-medium text-slate-900">{channelNames[message.channel]}</span>
                  <span className="text-slate-600"> to </span>
                  <span className="font-medium text-slate-900" data-testid="outbox-to">
                    {message.to}
                  </span>
                </p>
                <time className="text-slate-600" dateTime={message.createdAt.toISOString()}>
                  {formatTime(message.createdAt)}
                </time>
              </div>
              {message.subject && <h2 className="mt-2 font-semibold text-slate-900">{message.subject}</h2>}
              <pre className="mt-2 font-sans text-sm whitespace-pre-wrap text-slate-800" data-testid="outbox-text">
                {message.text}
              </pre>
            </li>
          ))}
        </ol>
        {nextBefore && (
          <Link href={`/dev/outbox?before=${nextBefore}`} className="inline-block text-sm font-medium text-indigo-700 hover:underline">
            Older messages
          </Link>
        )}
      </main>
    </div>
  );
}
