import type { RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { rateLimit } from "@/lib/rate-limit";
import { decrypt, encrypt } from "@/lib/security/crypto";
import { hashToken } from "@/lib/security/tokens";
import { addFactor } from "..";
import { announceFactor, type EnrollResult, type EnrollingUser } from "../enroll";
import { labelInput } from "../manage";
import { enrollRefusal } from "../policy-rules";
import { groupSecret, matchTotp, newTotpSecret, sealTotpSecret, totpUri } from "./totp";

const ENROLLMENT_SECONDS = 15 * 60;

/**
 * Starts authenticator-app enrollment. Nothing is stored: the secret travels to the form
 * sealed (AES-GCM, bound to the user, 15 minutes) and is saved only with a valid code.
 */
export function beginTotp(user: EnrollingUser) {
  const secret = newTotpSecret();
  const sealed = encrypt(JSON.stringify({ secret, exp: Date.now() + ENROLLMENT_SECONDS * 1000 }), `totp-enroll:${user.id}`);
  return { uri: totpUri(secret, user.email), secret, groupedSecret: groupSecret(secret), enrollment: sealed };
}

export async function finishTotp(user: EnrollingUser, input: { enrollment: string; code: string; label: string }, meta: RequestMeta): Promise<EnrollResult> {
  let secret: string;
  try {
    const opened = JSON.parse(decrypt(input.enrollment, `totp-enroll:${user.id}`)) as { secret: string; exp: number };
    if (opened.exp < Date.now()) return { ok: false, message: "This setup expired. Start again to get a new QR code." };
    secret = opened.secret;
  } catch {
    return { ok: false, message: "This setup is not valid. Start again to get a new QR code." };
  }
  const refused = await enrollRefusal(user.id, "totp");
  if (refused) return { ok: false, message: refused };
  const step = await matchTotp(secret, input.code);
  if (step === null) return { ok: false, field: "code", message: "That code didn't match. Enter the 6-digit code your app shows now." };
  const label = labelInput(input.label) || "Authenticator app";
  const added = await db().transaction(async (tx) => {
    // One setup saves one factor, even when the form is submitted twice.
    const firstUse = await rateLimit(`totp-enroll:${hashToken(input.enrollment)}`, { limit: 1, windowSeconds: ENROLLMENT_SECONDS }, tx);
    if (!firstUse.allowed) return null;
    return addFactor(tx, { userId: user.id, kind: "totp", label: label.slice(0, 60), secretEncrypted: sealTotpSecret(secret, user.id), lastTotpStep: step }, meta);
  });
  if (!added) return { ok: false, message: "This authenticator app is already set up. Go back to security settings." };
  await announceFactor(user.id, "totp", meta);
  return { ok: true, ...added };
}
