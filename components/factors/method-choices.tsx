import Link from "next/link";
import type { FactorKind } from "@/lib/db/schema";
import { FactorIcon } from "./factor-icon";

const CHOICES: { kind: FactorKind; title: string; note: string }[] = [
  { kind: "totp", title: "Authenticator app", note: "Recommended. Google Authenticator, Microsoft Authenticator, 1Password, Authy…" },
  { kind: "webauthn", title: "Security key or passkey", note: "Recommended, and phishing-proof. YubiKey, Touch ID, Windows Hello…" },
  { kind: "email", title: "Email code", note: "Convenient, but anyone in your inbox gets your codes too." },
  { kind: "sms", title: "Text message (SMS)", note: "A restricted method (NIST SP 800-63B): numbers can be hijacked. Keep an app or key beside it." },
];

/** Links to the enrollment wizards of `kinds`; `recommended` leads, with a badge saying who recommends it. */
export function MethodChoices({ kinds, recommended }: { kinds: FactorKind[]; recommended?: { kind: FactorKind; by: string } | null }) {
  const shown = CHOICES.filter((c) => kinds.includes(c.kind)).sort((a, b) => Number(b.kind === recommended?.kind) - Number(a.kind === recommended?.kind));
  return (
    <ul className="mt-2 grid gap-2 sm:grid-cols-2">
      {shown.map((method) => (
        <li key={method.kind}>
          <Link
            href={`/settings/security/add/${method.kind}`}
            className="flex h-full gap-3 rounded-md border border-slate-200 p-3 hover:border-indigo-300 hover:bg-indigo-50/40"
          >
            <FactorIcon kind={method.kind} />
            <span>
              <span className="block text-sm font-medium text-slate-900">
                {method.title}
                {method.kind === recommended?.kind && (
                  <span className="mt-1 block w-fit rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-normal text-indigo-800">Recommended by {recommended.by}</span>
                )}
              </span>
              <span className="block text-xs text-slate-600">{method.note}</span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
