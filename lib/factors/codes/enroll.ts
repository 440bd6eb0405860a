import { and, eq } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { factors } from "@/lib/db/schema";
import { notifyUser } from "@/lib/notifications";
import { addFactor } from "..";
import { announceFactor, type EnrollResult, type EnrollingUser } from "../enroll";
import { enrollRefusal } from "../policy-rules";
import { revokeTrustedDevices } from "../trusted-devices";
import { issueOtp, verifyOtp } from "./otp";
import { maskEmail, maskPhone, parsePhone } from "./phone";

/** Sends a code to the account's email address to prove it receives mail. */
export async function beginEmail(user: EnrollingUser, meta: RequestMeta) {
  const refused = await enrollRefusal(user.id, "email");
  if (refused) return { ok: false as const, message: refused };
  const sent = await issueOtp({ userId: user.id, purpose: "enroll", channel: "email", destination: user.email }, meta);
  return sent.ok ? { ok: true as const, sentTo: maskEmail(user.email), resendAt: sent.resendAt } : { ok: false as const, message: sent.message };
}

export async function finishEmail(user: EnrollingUser, code: string, meta: RequestMeta): Promise<EnrollResult> {
  return db().transaction(async (tx) => {
    const [existing] = await tx.select({ id: factors.id }).from(factors).where(and(eq(factors.userId, user.id), eq(factors.kind, "email")));
    if (existing) return { ok: false as const, message: "Email codes are already on for this account." };
    const refused = await enrollRefusal(user.id, "email", tx);
    if (refused) return { ok: false as const, message: refused };
    const checked = await verifyOtp({ userId: user.id, purpose: "enroll", code, destination: user.email }, tx);
    if (!checked.ok) return { ok: false as const, field: "code", message: checked.message };
    const added = await addFactor(tx, { userId: user.id, kind: "email", label: "Email" }, meta);
    return { ok: true as const, ...added };
  }).then(async (result) => {
    if (result.ok) await announceFactor(user.id, "email", meta);
    return result;
  });
}

/** Sends a code to a new phone number; the number is saved only once the code comes back. */
export async function beginSms(user: EnrollingUser, phoneInput: string, meta: RequestMeta) {
  const phone = parsePhone(phoneInput);
  if (!phone.ok) return { ok: false as const, field: "phone", message: phone.message };
  const refused = await enrollRefusal(user.id, "sms");
  if (refused) return { ok: false as const, message: refused };
  const sent = await issueOtp({ userId: user.id, purpose: "enroll", channel: "sms", destination: phone.e164 }, meta);
  if (!sent.ok) return { ok: false as const, field: "phone", message: sent.message };
  return { ok: true as const, phone: phone.e164, sentTo: maskPhone(phone.e164), resendAt: sent.resendAt };
}

/**
 * Verifies the code sent to `phone`. With no SMS factor yet it adds one; with one, it
 * moves that factor to the new number (the old number stayed in place until now).
 */
export async function finishSms(user: EnrollingUser, input: { phone: string; code: string }, meta: RequestMeta): Promise<EnrollResult & { changed?: boolean }> {
  const phone = parsePhone(input.phone);
  if (!phone.ok) return { ok: false, field: "phone", message: phone.message };
  const result = await db().transaction(async (tx) => {
    const refused = await enrollRefusal(user.id, "sms", tx);
    if (refused) return { ok: false as const, message: refused };
    const checked = await verifyOtp({ userId: user.id, purpose: "enroll", code: input.code, destination: phone.e164 }, tx);
    if (!checked.ok) return { ok: false as const, field: "code", message: checked.message };
    const [existing] = await tx.select({ id: factors.id }).from(factors).where(and(eq(factors.userId, user.id), eq(factors.kind, "sms")));
    if (existing) {
      await tx.update(factors).set({ phone: phone.e164, label: maskPhone(phone.e164) }).where(eq(factors.id, existing.id));
      await recordAudit(tx, { type: "factor.phone_changed", userId: user.id, data: { factorId: existing.id }, ...meta });
      // A new number is often a lost or stolen phone: nothing remembered under the old one stays trusted.
      await revokeTrustedDevices(tx, user.id, meta, { reason: "phone_changed" });
      return { ok: true as const, factorId: existing.id, changed: true };
    }
    const added = await addFactor(tx, { userId: user.id, kind: "sms", label: maskPhone(phone.e164), phone: phone.e164 }, meta);
    return { ok: true as const, ...added, changed: false };
  });
  if (result.ok && result.changed) {
    await notifyUser(user.id, "Your phone number for sign-in codes changed", [`Text-message codes now go to ${maskPhone(phone.e164)}.`], meta);
  } else if (result.ok) {
    await announceFactor(user.id, "sms", meta);
  }
  return result;
}
