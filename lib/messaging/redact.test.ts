import { describe, expect, it } from "vitest";
import { sayLanguage } from "./providers/twiml";
import { maskRecipient, redactProviderText } from "./redact";

describe("maskRecipient", () => {
  it.each([
    ["+14155552671", "+1415•••••71"],
    ["+33612345678", "+3361•••••78"],
    ["ada@example.com", "a•••@example.com"],
    ["+1234", "•••••"],
  ])("%s → %s", (to, masked) => {
    expect(maskRecipient(to)).toBe(masked);
  });
});

describe("redactProviderText", () => {
  it("masks the recipient in every form a provider may echo it", () => {
    const message = { channel: "sms", to: "+14155552671", text: "hi" } as const;
    expect(redactProviderText("To +14155552671, %2B14155552671 or 14155552671", message)).toBe("To +1415•••••71, +1415•••••71 or +1415•••••71");
  });

  it("cuts out the text's lines and digit runs, spoken digits included", () => {
    const message = { channel: "voice", to: "+14155552671", text: "Your code is: 0. 4. 2. 7." } as const;
    expect(redactProviderText("bad TwiML near 0427 in 'Your code is: 0. 4. 2. 7.'", message)).toBe("bad TwiML near [redacted] in '[redacted]'");
  });
});

describe("sayLanguage", () => {
  it.each([
    [undefined, "en-US"],
    ["en", "en-US"],
    ["es", "es-ES"],
    ["fr", "fr-FR"],
    ["de", "de-DE"],
    ["pt", "pt-BR"],
    ["it", "it-IT"],
    ["nl", "nl-NL"],
    ["pt-pt", "pt-PT"],
    ["en_GB", "en-GB"],
    ["xx", "en-US"],
    ['en" onload="', "en-US"],
  ])("%s → %s", (locale, language) => {
    expect(sayLanguage(locale)).toBe(language);
  });
});
