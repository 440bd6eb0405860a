import type { Channel } from "@/lib/db/schema";

export const LOCALES = ["en", "es", "fr", "de", "pt", "it", "nl"] as const;
export type Locale = (typeof LOCALES)[number];

/** What a code message says; `subject` for email only, and free of the code (subjects show on lock screens). */
export type VerifyMessage = { subject?: string; text: string };

export const MAX_BRAND_LENGTH = 30;
/** Used when a team's name has nothing printable left: the message must still read as a sentence. */
const FALLBACK_BRAND = "Tessera";

/**
 * The team's name as it appears in the message. Team names are typed by anyone who signs
 * up and go to numbers the team chooses, so control and format characters (line breaks,
 * bidi overrides that could reorder the code) are dropped, whitespace collapsed, and the
 * length capped by characters (never splitting a surrogate pair). Other security emails naming
 * a person or team pass their own `fallback` (e.g. "An admin").
 */
export function sanitizeBrand(name: string, fallback: string = FALLBACK_BRAND): string {
  const cleaned = name
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
  const capped = [...cleaned].slice(0, MAX_BRAND_LENGTH).join("").trim();
  // A name that carries a link, an address or a number to call would turn Tessera's messages
  // into a phishing channel ("Your evil.co/login code is…"): such names are not shown at all.
  if (!capped || LOOKS_LIKE_CONTACT.some((pattern) => pattern.test(capped))) return fallback;
  return capped;
}

const LOOKS_LIKE_CONTACT = [
  /:\/\/|www\.|@|\//iu,
  // A domain: "evil.co", "pay-pal.com.example" (a dot between letters, then 2+ letters).
  /[\p{L}\p{N}-]\.\p{L}{2,}/u,
  // A phone number: 5 or more digits, whatever separates them.
  /(?:\p{Nd}[\s().-]*){5,}/u,
];

type Texts = {
  /** "Your Acme verification code is": the code follows. */
  lead: (brand: string) => string;
  subject: (brand: string) => string;
  expires: (minutes: number) => string;
  dontShare: string;
  ignore: string;
  again: string;
};

const TEXTS: Record<Locale, Texts> = {
  en: {
    lead: (b) => `Your ${b} verification code is`,
    subject: (b) => `Your ${b} verification code`,
    expires: (m) => `It expires in ${m} minutes.`,
    dontShare: "Don't share it.",
    ignore: "If you didn't ask for this code, you can ignore this email.",
    again: "Again:",
  },
  es: {
    lead: (b) => `Tu código de verificación de ${b} es`,
    subject: (b) => `Tu código de verificación de ${b}`,
    expires: (m) => `Caduca en ${m} minutos.`,
    dontShare: "No lo compartas.",
    ignore: "Si no pediste este código, puedes ignorar este correo.",
    again: "Otra vez:",
  },
  fr: {
    lead: (b) => `Votre code de vérification ${b} est`,
    subject: (b) => `Votre code de vérification ${b}`,
    expires: (m) => `Il expire dans ${m} minutes.`,
    dontShare: "Ne le partagez pas.",
    ignore: "Si vous n'avez pas demandé ce code, vous pouvez ignorer cet e-mail.",
    again: "Je répète :",
  },
  de: {
    lead: (b) => `Ihr Bestätigungscode für ${b} lautet`,
    subject: (b) => `Ihr Bestätigungscode für ${b}`,
    expires: (m) => `Er läuft in ${m} Minuten ab.`,
    dontShare: "Geben Sie ihn nicht weiter.",
    ignore: "Wenn Sie diesen Code nicht angefordert haben, können Sie diese E-Mail ignorieren.",
    again: "Noch einmal:",
  },
  pt: {
    lead: (b) => `Seu código de verificação para ${b} é`,
    subject: (b) => `Seu código de verificação para ${b}`,
    expires: (m) => `Ele expira em ${m} minutos.`,
    dontShare: "Não o compartilhe.",
    ignore: "Se você não pediu este código, pode ignorar este e-mail.",
    again: "Repetindo:",
  },
  it: {
    lead: (b) => `Il tuo codice di verifica per ${b} è`,
    subject: (b) => `Il tuo codice di verifica per ${b}`,
    expires: (m) => `Scade tra ${m} minuti.`,
    dontShare: "Non condividerlo.",
    ignore: "Se non hai richiesto questo codice, puoi ignorare questa email.",
    again: "Ripeto:",
  },
  nl: {
    lead: (b) => `Je verificatiecode voor ${b} is`,
    subject: (b) => `Je verificatiecode voor ${b}`,
    expires: (m) => `Deze verloopt over ${m} minuten.`,
    dontShare: "Deel hem met niemand.",
    ignore: "Heb je deze code niet aangevraagd? Dan kun je deze e-mail negeren.",
    again: "Nogmaals:",
  },
};

export type VerifyMessageInput = { code: string; teamName: string; locale: Locale; minutes: number };

/**
 * The message that carries a Verify API code, in the verification's locale, under the
 * team's name. SMS carries no origin-bound line (`@host #code`): the code is for the team's
 * own site, whose host Tessera does not know, and binding it to Tessera's would be wrong.
 * Voice reads each digit apart (a period after each makes text-to-speech pause) and the
 * whole code twice.
 */
export function verifyMessage(channel: Channel, { code, teamName, locale, minutes }: VerifyMessageInput): VerifyMessage {
  const t = TEXTS[locale];
  const brand = sanitizeBrand(teamName);
  if (channel === "voice") {
    const digits = [...code].map((digit) => `${digit}.`).join(" ");
    // The line break becomes a pause between the two readings (lib/messaging/providers/twiml.ts).
    return { text: `${t.lead(brand)}: ${digits}\n${t.again} ${digits}` };
  }
  const sentence = `${t.lead(brand)} ${code}. ${t.expires(minutes)}`;
  if (channel === "sms") return { text: `${sentence} ${t.dontShare}` };
  return { subject: t.subject(brand), text: [`${sentence} ${t.dontShare}`, "", t.ignore].join("\n") };
}
