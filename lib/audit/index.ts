import { desc, eq } from "drizzle-orm";
import { db, type Executor } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";

/** Every kind of security event Tessera records. */
export const AUDIT_EVENTS = {
  "user.signed_up": "Account created",
  "sign_in.password_failed": "Wrong password entered",
  "sign_in.locked": "Sign-in locked after too many wrong passwords",
  "sign_in.succeeded": "Signed in",
  "session.signed_out": "Signed out",
  "session.others_revoked": "Signed out of all other sessions",
  "session.revoked": "Signed out of another session",
  "sign_in.factor_failed": "Wrong second-factor code entered",
  "sign_in.challenge_locked": "Sign-in stopped after too many wrong codes",
  "sign_in.second_step_locked": "Second step locked after too many wrong codes",
  "sign_in.second_factor_blocked": "Second step blocked after 100 failed attempts in a row",
  "second_factor.unblocked": "Second step unblocked through the emailed link",
  "factor.totp_replayed": "An authenticator code that was already used was entered again",
  "factor.added": "Second factor added",
  "factor.removed": "Second factor removed",
  "factor.renamed": "Second factor renamed",
  "factor.default_changed": "Default second factor changed",
  "factor.phone_changed": "Phone number changed",
  "factor.counter_regression": "Security key reported a suspicious sign counter",
  "two_factor.enabled": "Two-factor authentication turned on",
  "two_factor.disabled": "Two-factor authentication turned off",
  "recovery_codes.generated": "Recovery codes generated",
  "recovery_codes.used": "Recovery code used",
  "trusted_device.added": "Device remembered",
  "trusted_device.revoked": "Remembered device revoked",
  "trusted_device.replayed": "Remembered-device cookie used twice: device signed out",
  "step_up.verified": "Second factor re-entered",
  "password.reset_requested": "Password reset requested",
  "password.reset": "Password reset",
  "policy.changed": "Team two-factor policy changed",
  "credits.added": "SMS credits added",
  "sms_settings.changed": "SMS and voice settings changed",
  "sms.resumed": "SMS and voice resumed after a pause",
  "invitation.sent": "Member invited",
  "invitation.revoked": "Invitation revoked",
  "invitation.accepted": "Invitation accepted",
  "member.role_changed": "Member role changed",
  "member.removed": "Member removed",
  "member.two_factor_reset": "Reset of a member's two-factor authentication requested by an admin",
  "member.two_factor_reset_withdrawn": "Two-factor reset request withdrawn by an admin",
  "member.two_factor_reset_canceled": "Two-factor reset request canceled by the member",
  "member.two_factor_reset_completed": "Two-factor reset used: the member confirmed by email and their factors were removed",
  "member.reminded": "Two-factor setup reminder sent",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "sms.paused": "SMS and voice paused after a burst of codes to one block of numbers",
} as const;

export type AuditType = keyof typeof AUDIT_EVENTS;

export type RequestMeta = { ip?: string | null; userAgent?: string | null };

export type AuditInput = RequestMeta & {
  type: AuditType;
  userId?: string | null;
  teamId?: string | null;
  actorId?: string | null;
  data?: Record<string, unknown>;
};

/** Records a security event; pass the transaction of the change it describes. */
export async function recordAudit(ex: Executor, event: AuditInput): Promise<void> {
  await ex.insert(auditEvents).values({
    type: event.type,
    userId: event.userId ?? null,
    teamId: event.teamId ?? null,
    actorId: event.actorId ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent ?? null,
    data: event.data ?? {},
  });
}

/** A user's own recent security events (their account's, and what admins did to it), newest first. */
export async function listUserEvents(userId: string, limit = 20) {
  return db()
    .select({
      id: auditEvents.id,
      type: auditEvents.type,
      ip: auditEvents.ip,
      userAgent: auditEvents.userAgent,
      data: auditEvents.data,
      createdAt: auditEvents.createdAt,
    })
    .from(auditEvents)
    .where(eq(auditEvents.userId, userId))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit);
}

export function describeEvent(type: string): string {
  // hasOwn: a type such as "constructor" must not read Object.prototype.
  return Object.hasOwn(AUDIT_EVENTS, type) ? AUDIT_EVENTS[type as AuditType] : type;
}
