import "server-only";

/**
 * A name someone typed (a team's, a person's), made safe to put in a message Tessera sends.
 * Names are chosen by anyone who signs up and land in other people's inboxes and phones, so:
 * control and format characters (line breaks that would lay out a message of their own, bidi
 * overrides that reorder text) become spaces, whitespace collapses, and the length is capped
 * by characters (never splitting a surrogate pair). A name that carries a link, an address
 * or a phone number would turn our sender into a phishing channel ("Acme http://evil.example
 * invited you", "Call +1 555 0100"): it is not shown at all — `null`, and the caller words the
 * sentence without it.
 */
export function safeDisplayName(name: string | null | undefined, maxLength = 60): string | null {
  const cleaned = (name ?? "")
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
  const capped = [...cleaned].slice(0, maxLength).join("").trim();
  if (!capped || LOOKS_LIKE_CONTACT.some((pattern) => pattern.test(capped))) return null;
  return capped;
}

const LOOKS_LIKE_CONTACT = [
  /:\/\/|www\.|@|\//iu,
  // A domain: "evil.co", "pay-pal.com.example" (a dot between letters, then 2+ letters).
  /[\p{L}\p{N}-]\.\p{L}{2,}/u,
  // A phone number: 5 or more digits, whatever separates them.
  /(?:\p{Nd}[\s().-]*){5,}/u,
];

/** "Hi Ada," — or "Hi," when the name can't be shown. */
export const greeting = (name: string | null | undefined) => {
  const safe = safeDisplayName(name);
  return safe ? `Hi ${safe},` : "Hi,";
};
