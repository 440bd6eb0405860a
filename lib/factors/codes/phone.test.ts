import { describe, expect, it } from "vitest";
import { maskEmail, maskPhone, parsePhone, PHONE_ERRORS } from "./phone";

describe("parsePhone", () => {
  it.each([
    ["+44 20 7946 0958", undefined, "+442079460958"],
    ["(415) 555-2671", "US", "+14155552671"],
    ["+1 415-555-2671", undefined, "+14155552671"],
    ["  +1.415.555.2671  ", undefined, "+14155552671"],
    ["+33 6 12 34 56 78", "US", "+33612345678"],
    ["030 123456", "DE", "+4930123456"],
  ] as const)("reads %j (country %s) as %s", (input, country, e164) => {
    expect(parsePhone(input, country)).toEqual({ ok: true, e164 });
  });

  it.each([
    ["", PHONE_ERRORS.EMPTY],
    ["   ", PHONE_ERRORS.EMPTY],
    ["+", PHONE_ERRORS.NO_COUNTRY],
    ["(415) 555-2671", PHONE_ERRORS.NO_COUNTRY],
    ["+1 415 555 CALL", PHONE_ERRORS.CHARACTERS],
    ["+1 415 555 2671 x12", PHONE_ERRORS.CHARACTERS],
    ["phone", PHONE_ERRORS.CHARACTERS],
    ["+1 415", PHONE_ERRORS.TOO_SHORT],
    ["+44 12", PHONE_ERRORS.TOO_SHORT],
    ["+1 415 555 2671 1234", PHONE_ERRORS.TOO_LONG],
    ["+999 1234567", PHONE_ERRORS.UNKNOWN_COUNTRY],
    ["+1 555 555 5555", PHONE_ERRORS.INVALID],
    ["+1 200 555 0100", PHONE_ERRORS.INVALID],
  ])("refuses %j with a clear message", (input, message) => {
    expect(parsePhone(input)).toEqual({ ok: false, message });
  });

  it("asks for the country code in the words people see", () => {
    expect(PHONE_ERRORS.NO_COUNTRY).toBe("Enter a phone number with its country code, like +1 415 555 2671.");
  });
});

describe("masking", () => {
  it.each([
    ["+14155552671", "+1 ••• ••• 2671"],
    ["+442079460958", "+44 •• •••• 0958"],
    ["+4930123456", "+49 •• ••3456"],
  ])("shows %s as %s", (e164, masked) => {
    expect(maskPhone(e164)).toBe(masked);
  });

  it("hides all but the first letter of an address's name", () => {
    expect(maskEmail("ada@example.com")).toBe("a••@example.com");
    expect(maskEmail("grace.hopper@navy.mil")).toBe("g•••••••••••@navy.mil");
    expect(maskEmail("x@example.com")).toBe("x••@example.com");
  });
});
