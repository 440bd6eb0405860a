import "server-only";

/** `<Say language>` for the locales Tessera speaks; a tag with a region (`en-GB`) is used as given. */
const VOICE_LANGUAGES: Record<string, string> = {
  en: "en-US",
  es: "es-ES",
  fr: "fr-FR",
  de: "de-DE",
  pt: "pt-BR",
  it: "it-IT",
  nl: "nl-NL",
};

/** The `<Say language>` for a BCP-47 locale: `en` → `en-US`, `pt-PT` stays; anything else is read in en-US. */
export function sayLanguage(locale: string | undefined): string {
  const [language = "", region] = (locale ?? "").trim().split(/[-_]/);
  const lang = language.toLowerCase();
  if (region && /^[a-z]{2,3}$/.test(lang) && /^[a-z]{2}$/i.test(region)) return `${lang}-${region.toUpperCase()}`;
  return VOICE_LANGUAGES[lang] ?? "en-US";
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/**
 * The call's script: a second of silence first (people say "hello?" over the start of a
 * call), then each line of the text in its own `<Say>` with a one-second pause between
 * lines, so a code spoken twice is heard as two clear repetitions.
 */
export function voiceTwiml(text: string, locale?: string): string {
  const language = sayLanguage(locale);
  const lines = text
    .split(/\n+/)
    .map((line) => line.trim())
    .filter(Boolean);
  const says = lines.map((line) => `<Say language="${language}">${escapeXml(line)}</Say>`).join('<Pause length="1"/>');
  return `<Response><Pause length="1"/>${says}</Response>`;
}
