import type { FactorKind } from "@/lib/db/schema";
import { maskEmail, maskPhone } from "./codes/phone";

/** What the prompt asks for: a typed code (app, email, text), or a security key's assertion. */
export type PromptKind = "code" | "webauthn";

/** An icon's name; components/factors/factor-icon.tsx draws each one. */
export type FactorIconName = "phone" | "key" | "mail" | "message";

/** The enrolled factor a hint is read from, with its owner's address. */
export type HintSource = { label: string; phone: string | null; email: string };

/**
 * One kind of second factor as the rest of Tessera sees it. Free of React and of the
 * database, so server code, pages and client components all read the same record; the
 * server-side check of each kind is its `verify…Proof` in its folder, dispatched by
 * lib/factors/proof.ts.
 */
export type FactorKindRecord<K extends FactorKind = FactorKind> = {
  id: K;
  /** "Authenticator app": lists, labels, policy messages. */
  name: string;
  /** "An authenticator app": the start of a sentence in a notification email. */
  articleName: string;
  icon: FactorIconName;
  prompt: {
    kind: PromptKind;
    /** The prompt's heading while this kind is asked for. */
    title: string;
    /** The entry under "Use another method". */
    switchLabel: string;
    /** Kinds that send their code: the channel, and the button that sends the first one. */
    sends?: { channel: "email" | "sms"; label: string };
  };
  enroll: {
    /** The wizard's page. */
    route: string;
    /** Under the kind's name in "Choose a method". */
    note: string;
    /** At most one per account (an address, a number): offered for adding only while absent. */
    single: boolean;
  };
  /** The person names each one ("Work laptop"); the label stands for the factor in the prompt. */
  named: boolean;
  /** What the prompt shows beside the method, masked where it is an address or a number. */
  hint: (factor: HintSource) => string;
};

const enrollRoute = (kind: FactorKind) => `/settings/security/add/${kind}`;

/** Every kind, in the order they are offered. */
export const FACTORS: { [K in FactorKind]: FactorKindRecord<K> } = {
  totp: {
    id: "totp",
    name: "Authenticator app",
    articleName: "An authenticator app",
    icon: "phone",
    prompt: { kind: "code", title: "Enter the code from your authenticator app", switchLabel: "Authenticator app" },
    enroll: { route: enrollRoute("totp"), note: "Recommended. Google Authenticator, Microsoft Authenticator, 1Password, Authy…", single: false },
    named: true,
    hint: (factor) => factor.label,
  },
  webauthn: {
    id: "webauthn",
    name: "Security key or passkey",
    articleName: "A security key",
    icon: "key",
    prompt: { kind: "webauthn", title: "Use your security key", switchLabel: "Security key or passkey" },
    enroll: { route: enrollRoute("webauthn"), note: "Recommended, and phishing-proof. YubiKey, Touch ID, Windows Hello…", single: false },
    named: true,
    hint: (factor) => factor.label,
  },
  email: {
    id: "email",
    name: "Email code",
    articleName: "Email codes",
    icon: "mail",
    prompt: { kind: "code", title: "Check your email", switchLabel: "Email a code", sends: { channel: "email", label: "Email me a code" } },
    enroll: { route: enrollRoute("email"), note: "Convenient, but anyone in your inbox gets your codes too.", single: true },
    named: false,
    hint: (factor) => maskEmail(factor.email),
  },
  sms: {
    id: "sms",
    name: "Text message (SMS)",
    articleName: "A phone number for text-message codes",
    icon: "message",
    prompt: { kind: "code", title: "Check your phone", switchLabel: "Text a code", sends: { channel: "sms", label: "Text me a code" } },
    enroll: { route: enrollRoute("sms"), note: "A restricted method (NIST SP 800-63B): numbers can be hijacked. Keep an app or key beside it.", single: true },
    named: false,
    hint: (factor) => (factor.phone ? maskPhone(factor.phone) : factor.label),
  },
};

export const FACTOR_KIND_LIST = Object.values(FACTORS) as FactorKindRecord[];

/** Each kind's name, for callers that list or interpolate names (policy messages, audit lines). */
export const FACTOR_NAMES = Object.fromEntries(FACTOR_KIND_LIST.map((kind) => [kind.id, kind.name])) as Record<FactorKind, string>;

export const isFactorKind = (value: unknown): value is FactorKind => typeof value === "string" && Object.hasOwn(FACTORS, value);
