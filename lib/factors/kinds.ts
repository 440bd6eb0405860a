import type { FactorKind } from "@/lib/db/schema";

/** How each factor kind is named to people. */
export const FACTOR_NAMES: Record<FactorKind, string> = {
  totp: "Authenticator app",
  webauthn: "Security key or passkey",
  email: "Email code",
  sms: "Text message (SMS)",
};

/** "An authenticator app", "A security key" — for notification emails. */
export const FACTOR_ARTICLE_NAMES: Record<FactorKind, string> = {
  totp: "An authenticator app",
  webauthn: "A security key",
  email: "Email codes",
  sms: "A phone number for text-message codes",
};
