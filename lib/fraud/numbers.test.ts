import { describe, expect, it } from "vitest";
import { DEFAULT_SMS_COUNTRIES } from "./countries";
import { classifyNumber, numberRefusal, type NumberPolicy } from "./numbers";

const DEFAULTS: NumberPolicy = { countries: DEFAULT_SMS_COUNTRIES, voipMembers: false, voipApi: true };

describe("classifyNumber (libphonenumber-js max metadata)", () => {
  it.each([
    ["+447400123456", "GB", "MOBILE"],
    ["+442079460958", "GB", "FIXED_LINE"],
    ["+445612345678", "GB", "VOIP"],
    ["+448712345678", "GB", "PREMIUM_RATE"],
    ["+443001234567", "GB", "UAN"],
    ["+447012345678", "GB", "PERSONAL_NUMBER"],
    ["+14155552671", "US", "FIXED_LINE_OR_MOBILE"],
    ["+19005550100", "US", "PREMIUM_RATE"],
    ["+18005551212", "US", "TOLL_FREE"],
    ["+15005550006", "US", "PERSONAL_NUMBER"],
    ["+33612345678", "FR", "MOBILE"],
    ["+33912345678", "FR", "VOIP"],
    ["+447911123456", "GG", "MOBILE"],
    ["+881612345678", null, "MOBILE"],
    ["+979123456789", null, "PREMIUM_RATE"],
  ])("%s is %s %s", (e164, country, lineType) => {
    expect(classifyNumber(e164)).toEqual({ country, lineType, range: e164.slice(0, -3) });
  });
});

describe("numberRefusal", () => {
  it.each(["+19005550100", "+448712345678", "+18005551212", "+15005550006", "+443001234567", "+447012345678", "+979123456789"])(
    "%s is refused for everyone, by SMS and by voice, whatever the countries",
    (e164) => {
      const everywhere = { ...DEFAULTS, countries: ["US", "GB"], voipMembers: true };
      for (const channel of ["sms", "voice"] as const) {
        for (const use of ["members", "api"] as const) {
          expect(numberRefusal(classifyNumber(e164), channel, use, everywhere)).toMatchObject({ code: "LINE_TYPE_NOT_ALLOWED", rule: "never" });
        }
      }
    },
  );

  it("refuses a country off the list, and numbers of no country, naming the country", () => {
    expect(numberRefusal(classifyNumber("+5511987654321"), "sms", "api", DEFAULTS)).toEqual({ code: "COUNTRY_NOT_ALLOWED", country: "BR" });
    expect(numberRefusal(classifyNumber("+447911123456"), "sms", "members", DEFAULTS)).toEqual({ code: "COUNTRY_NOT_ALLOWED", country: "GG" });
    expect(numberRefusal(classifyNumber("+881612345678"), "voice", "api", { ...DEFAULTS, countries: [] })).toEqual({ code: "COUNTRY_NOT_ALLOWED", country: null });
    expect(numberRefusal(classifyNumber("+5511987654321"), "sms", "api", { ...DEFAULTS, countries: ["BR"] })).toBeNull();
    expect(numberRefusal(classifyNumber("+14155552671"), "sms", "api", { ...DEFAULTS, countries: [] })).toMatchObject({ code: "COUNTRY_NOT_ALLOWED" });
  });

  it("a landline gets calls, never texts", () => {
    const landline = classifyNumber("+442079460958");
    expect(numberRefusal(landline, "sms", "members", DEFAULTS)).toEqual({ code: "LINE_TYPE_NOT_ALLOWED", lineType: "FIXED_LINE", rule: "landline" });
    expect(numberRefusal(landline, "sms", "api", DEFAULTS)).toMatchObject({ rule: "landline" });
    expect(numberRefusal(landline, "voice", "members", DEFAULTS)).toBeNull();
  });

  it("VoIP: off for members' own codes and on for the API unless the team chose otherwise", () => {
    const voip = classifyNumber("+445612345678");
    expect(numberRefusal(voip, "sms", "members", DEFAULTS)).toMatchObject({ code: "LINE_TYPE_NOT_ALLOWED", rule: "voip" });
    expect(numberRefusal(voip, "voice", "members", DEFAULTS)).toMatchObject({ rule: "voip" });
    expect(numberRefusal(voip, "sms", "api", DEFAULTS)).toBeNull();
    expect(numberRefusal(voip, "sms", "members", { ...DEFAULTS, voipMembers: true })).toBeNull();
    expect(numberRefusal(voip, "sms", "api", { ...DEFAULTS, voipApi: false })).toMatchObject({ rule: "voip" });
  });

  it("mobiles and numbers whose type the plan cannot tell go ahead", () => {
    for (const e164 of ["+447400123456", "+14155552671", "+16502530000", "+14165550123", "+33612345678", "+61412345678"]) {
      expect(numberRefusal(classifyNumber(e164), "sms", "members", DEFAULTS), e164).toBeNull();
    }
  });
});
