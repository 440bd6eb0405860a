import { config } from "@/lib/config";
import type { Channel, OtpPurpose } from "@/lib/db/schema";

/** What a code message says; `subject` for email only. */
export type CodeMessage = { subject?: string; text: string };

export type CodeMessageInput = { code: string; purpose: OtpPurpose; minutes: number };

const SUBJECTS: Record<OtpPurpose, string> = {
  sign_in: "Your Tessera sign-in code",
  enroll: "Confirm your email address for Tessera",
  step_up: "Your Tessera verification code",
  admin_reset: "Your code to set up two-factor authentication again",
};

const WHY: Record<OtpPurpose, string> = {
  sign_in: "Someone (hopefully you) entered your password and is signing in to Tessera.",
  enroll: "You're adding this email address as a way to sign in to Tessera.",
  step_up: "You're confirming a change to your Tessera security settings.",
  admin_reset:
    "An admin of your team reset your two-factor authentication, and someone who knows your password is using that reset to sign in. Entering this code removes your current second factors so you can set up new ones.",
};

const IF_NOT_YOU: Record<OtpPurpose, string> = {
  sign_in: "If this wasn't you, someone knows your password: change it now.",
  enroll: "If this wasn't you, you can ignore this email; nothing changes without the code.",
  step_up: "If this wasn't you, change your password and review Settings → Security now.",
  admin_reset: "If this wasn't you, don't share the code: someone knows your password. Change it now, and use the \"keep my 2FA\" link in the reset email.",
};

// The subject stays free of the code: subjects show on lock screens and in providers' logs.
export function emailCodeMessage({ code, purpose, minutes }: CodeMessageInput): CodeMessage {
  return {
    subject: SUBJECTS[purpose],
    text: [
      `Your Tessera code is ${code}. It expires in ${minutes} minutes.`,
      "",
      WHY[purpose],
      "",
      "Never share this code. Tessera will never ask you for it by phone, text or email.",
      IF_NOT_YOU[purpose],
    ].join("\n"),
  };
}

/**
 * Short enough for one SMS segment. The last line is an origin-bound code
 * (https://wicg.github.io/sms-one-time-codes/): browsers offer it only on Tessera's own
 * site, so a look-alike page cannot get it autofilled. The format takes a host without a
 * port.
 */
export function smsCodeMessage({ code, minutes }: CodeMessageInput): CodeMessage {
  return { text: `Your Tessera code is ${code}. It expires in ${minutes} minutes. Don't share it.\n\n@${config.appUrl.hostname} #${code}` };
}

/** Read out by a text-to-speech call: each digit apart, slowly, and the whole code twice. */
export function voiceCodeMessage({ code }: CodeMessageInput): CodeMessage {
  const digits = [...code].map((digit) => `${digit}.`).join(" ");
  // The line break becomes a pause between the two readings (lib/messaging/providers/twiml.ts).
  return { text: `Your Tessera code is: ${digits}\nAgain: ${digits}` };
}

export function codeMessage(channel: Channel, input: CodeMessageInput): CodeMessage {
  if (channel === "email") return emailCodeMessage(input);
  if (channel === "sms") return smsCodeMessage(input);
  return voiceCodeMessage(input);
}
