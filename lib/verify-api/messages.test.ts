import { describe, expect, it } from "vitest";
import { LOCALES, MAX_BRAND_LENGTH, sanitizeBrand, verifyMessage } from "./messages";

// The rules themselves are tested in lib/messaging/display-name.test.ts; here, the SMS-sized brand.
describe("sanitizeBrand", () => {
  it("caps the team's name at the brand length and falls back to Tessera for a name that can't be shown", () => {
    expect(sanitizeBrand("x".repeat(50))).toHaveLength(MAX_BRAND_LENGTH);
    expect(sanitizeBrand("\n\u200B\t")).toBe("Tessera");
    expect(sanitizeBrand("Acme http://evil.example")).toBe("Tessera");
    expect(sanitizeBrand("Acme Corp.")).toBe("Acme Corp.");
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
