import { describe, expect, it } from "vitest";
import { LOCALES, MAX_BRAND_LENGTH, sanitizeBrand, verifyMessage } from "./messages";

describe("sanitizeBrand", () => {
  it("collapses whitespace, drops control and bidi characters, caps the length without splitting characters", () => {
    expect(sanitizeBrand("  Acme \n\t Corp  ")).toBe("Acme Corp");
    expect(sanitizeBrand("Ac\u0000me\u202E\u0007")).toBe("Ac me");
    expect(sanitizeBrand("x".repeat(50))).toHaveLength(MAX_BRAND_LENGTH);
    const emoji = sanitizeBrand("😀".repeat(40));
    expect([...emoji]).toHaveLength(MAX_BRAND_LENGTH);
    expect(emoji).not.toMatch(/[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u);
    expect(sanitizeBrand("\n\u200B\t")).toBe("Tessera");
  });

  it("drops names that carry a link, an address or a phone number (phishing through our messages)", () => {
    for (const name of ["evil.co/login", "https://x", "www.example", "pay-pal.com", "help@acme", "Call +1 415 555 2671", "Acme 555-01-23"]) {
      expect(sanitizeBrand(name)).toBe("Tessera");
    }
    for (const name of ["Acme Corp.", "Dr. Who's Clinic", "Team 2024", "AT&T", "Zoë & Søren", "A.B. Consulting"]) {
      expect(sanitizeBrand(name)).toBe(name);
    }
  });
});

describe("verifyMessage", () => {
  const input = { code: "042917", teamName: "Acme", minutes: 10 } as const;

  it("English SMS, email and voice read as the contract's examples", () => {
    expect(verifyMessage("sms", { ...input, locale: "en" })).toEqual({
      text: "Your Acme verification code is 042917. It expires in 10 minutes. Don't share it.",
    });
    const email = verifyMessage("email", { ...input, locale: "en" });
    expect(email.subject).toBe("Your Acme verification code");
    expect(email.text.split("\n")[0]).toBe("Your Acme verification code is 042917. It expires in 10 minutes. Don't share it.");
    expect(verifyMessage("voice", { ...input, locale: "en" })).toEqual({
      text: "Your Acme verification code is: 0. 4. 2. 9. 1. 7.\nAgain: 0. 4. 2. 9. 1. 7.",
    });
  });

  it.each(LOCALES)("%s: every channel carries the code, the brand and the expiry; subjects never the code", (locale) => {
    for (const channel of ["sms", "email", "voice"] as const) {
      const message = verifyMessage(channel, { ...input, locale, teamName: "Acme\nInc" });
      expect(message.text).toContain("Acme Inc");
      expect(message.text).not.toContain("@");
      if (channel === "voice") {
        expect(message.text.split("0. 4. 2. 9. 1. 7.")).toHaveLength(3);
      } else {
        expect(message.text).toContain(" 042917.");
        expect(message.text).toContain("10");
      }
      if (channel === "email") expect(message.subject).not.toContain("042917");
      else expect(message.subject).toBeUndefined();
    }
  });
});
