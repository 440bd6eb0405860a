import "server-only";
import type { Message } from "./types";

/**
 * A recipient as logs show it: enough to tell messages apart, not enough to contact the person.
 * `+14155552671` → `+1415•••••71`, `ada@example.com` → `a•••@example.com`.
 */
export function maskRecipient(to: string): string {
  const at = to.lastIndexOf("@");
  if (at > 0) return `${to[0]}•••${to.slice(at)}`;
  if (to.length <= 6) return "•".repeat(to.length);
  return `${to.slice(0, 5)}${"•".repeat(to.length - 7)}${to.slice(-2)}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A provider's error made safe to log and store: providers echo parts of the request, so the
 * recipient is masked and anything from the text that could be a code (a run of 4+ digits, a
 * line of the text) is cut out.
 */
export function redactProviderText(providerText: string, message: Message): string {
  const masked = maskRecipient(message.to);
  let out = providerText;
  for (const form of [message.to, encodeURIComponent(message.to), message.to.replace(/^\+/, "")]) {
    if (form.length >= 4) out = out.replace(new RegExp(escapeRegExp(form), "gi"), masked);
  }
  const secrets = new Set<string>();
  for (const line of message.text.split("\n")) if (line.trim().length >= 8) secrets.add(line.trim());
  // Spoken codes are digits apart ("1. 2. 3."): run together, they are the code too.
  const joined = message.text.replace(/(\d)[.,]?\s+(?=\d)/g, "$1");
  for (const digits of [...(message.text.match(/\d{4,}/g) ?? []), ...(joined.match(/\d{4,}/g) ?? [])]) secrets.add(digits);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(escapeRegExp(secret), "g"), "[redacted]");
  }
  return out;
}
