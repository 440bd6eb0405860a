import type { PolicyValues } from "../actions";
import type { FactorKind } from "@/lib/db/schema";

/** Strongest first: the order methods are offered in. */
export const METHODS: { kind: FactorKind; note: string }[] = [
  { kind: "totp", note: "Codes from an app such as Google Authenticator, 1Password or Authy. Strong, and free." },
  { kind: "webauthn", note: "YubiKey, Touch ID, Windows Hello, passkeys. The strongest: it can't be phished." },
  { kind: "email", note: "Weaker: whoever can read the inbox gets the codes. Every member has an address, so there is nothing to set up." },
  {
    kind: "sms",
    note: "Weaker: NIST SP 800-63B calls SMS a restricted authenticator, because numbers can be hijacked or redirected. Members need a verified phone number.",
  },
];

export const KINDS = METHODS.map((m) => m.kind);

export const GRACE: { days: number; label: string }[] = [
  { days: 0, label: "None" },
  { days: 3, label: "3 days" },
  { days: 7, label: "7 days" },
  { days: 14, label: "14 days" },
];

export const REMEMBER: { days: number; label: string }[] = [
  { days: 0, label: "Never — ask at every sign-in" },
  { days: 1, label: "1 day" },
  { days: 7, label: "1 week" },
  { days: 14, label: "14 days" },
  { days: 30, label: "30 days" },
  { days: 60, label: "60 days" },
];

export const IDLE: { minutes: number; label: string }[] = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 30, label: "30 minutes" },
  { minutes: 60, label: "1 hour" },
];

export const LIFETIME: { hours: number; label: string }[] = [
  { hours: 1, label: "1 hour" },
  { hours: 4, label: "4 hours" },
  { hours: 8, label: "8 hours" },
  { hours: 12, label: "12 hours" },
  { hours: 24, label: "24 hours" },
];

export const rememberLabel = (days: number) => (days === 7 ? "1 week" : days === 1 ? "1 day" : `${days} days`);

export type Field = keyof PolicyValues;

/** What every part of the policy form gets: the values being edited, a setter, and a field's error. */
export type PolicyEditing = {
  values: PolicyValues;
  set: <K extends Field>(field: K, value: PolicyValues[K]) => void;
  error: (field: Field) => string | undefined;
};
