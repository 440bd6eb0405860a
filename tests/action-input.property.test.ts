import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { findSessionUser } from "@/lib/auth/sessions";
import type { ActionState } from "@/lib/auth/action";
import { addTotpFactor, createSignedInUser, meta } from "./helpers";

// Every FormData server action, run for real; only Next's request context is faked.
const request = vi.hoisted(() => ({ sessionId: null as string | null, cookies: new Map<string, string>() }));
vi.mock("@/lib/auth/current-user", () => ({
  currentUser: async () => (request.sessionId ? findSessionUser(request.sessionId) : null),
  requestPath: async () => "/team",
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "user-agent": meta.userAgent, "x-forwarded-for": meta.ip }),
  cookies: async () => ({
    get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name)! } : undefined),
    set: (name: string, value: string) => void request.cookies.set(name, value),
    delete: (name: string) => void request.cookies.delete(name),
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next/server", () => ({ after: () => {} }));
const REDIRECT = "NEXT_REDIRECT (test)";
vi.mock("next/navigation", () => ({
  redirect: () => {
    throw new Error(REDIRECT);
  },
}));

const auth = await import("@/app/(auth)/actions");
const invite = await import("@/app/(auth)/invite/[token]/actions");
const developers = await import("@/app/(dashboard)/team/developers/actions");
const members = await import("@/app/(dashboard)/team/members/actions");
const credits = await import("@/app/(dashboard)/team/credits/actions");
const invitations = await import("@/app/(dashboard)/team/invitations/actions");
const teamSecurity = await import("@/app/(dashboard)/team/security/actions");
const sms = await import("@/app/(dashboard)/team/sms/actions");
const security = await import("@/app/(dashboard)/settings/security/actions");
const add = await import("@/app/(dashboard)/settings/security/add/actions");

type FormAction = (prev: ActionState<never>, formData: FormData) => Promise<ActionState<unknown>>;
const POLICY = ["teamId", "requireTwoFactor", "graceDays", "allowedMethods", "smsBackupOnly", "defaultMethod", "rememberDeviceDays"];

/** Each action and the fields its form sends. */
const ACTIONS: [string, FormAction, string[]][] = [
  ["signIn", auth.signInAction, ["email", "password"]],
  ["signUp", auth.signUpAction, ["name", "email", "password"]],
  ["forgotPassword", auth.forgotPasswordAction, ["email"]],
  ["resetPassword", auth.resetPasswordAction, ["token", "password"]],
  ["acceptInvitation", invite.acceptInvitationAction, ["token"]],
  ["createApiKey", developers.createApiKeyAction, ["teamId", "name"]],
  ["revokeApiKey", developers.revokeApiKeyAction, ["teamId", "keyId"]],
  ["sendReminder", members.sendReminderAction, ["teamId", "userId"]],
  ["remindAll", members.remindAllAction, ["teamId"]],
  ["resetTwoFactor", members.resetTwoFactorAction, ["teamId", "userId"]],
  ["changeRole", members.changeRoleAction, ["teamId", "userId", "role"]],
  ["removeMember", members.removeMemberAction, ["teamId", "userId"]],
  ["addCredits", credits.addCreditsAction, ["teamId", "amount"]],
  ["invite", invitations.inviteAction, ["teamId", "email", "role", "phone"]],
  ["resendInvitation", invitations.resendInvitationAction, ["teamId", "invitationId"]],
  ["revokeInvitation", invitations.revokeInvitationAction, ["teamId", "invitationId"]],
  ["savePolicy", teamSecurity.savePolicyAction, POLICY],
  ["previewPolicy", teamSecurity.previewPolicyAction, ["teamId", "allowedMethods", "smsBackupOnly"]],
  ["sendReminders", teamSecurity.sendRemindersAction, ["teamId", "allowedMethods", "smsBackupOnly"]],
  ["saveSmsSettings", sms.saveSmsSettingsAction, ["teamId", "countries", "voipMembers", "voipApi", "version"]],
  ["resumeSms", sms.resumeSmsAction, ["teamId"]],
  ["renameFactor", security.renameFactorAction, ["factorId", "label"]],
  ["setDefaultFactor", security.setDefaultFactorAction, ["factorId"]],
  ["removeFactor", security.removeFactorAction, ["factorId"]],
  ["revokeTrustedDevice", security.revokeTrustedDeviceAction, ["deviceId"]],
  ["finishTotp", add.finishTotpAction, ["enrollment", "code", "label"]],
  ["finishEmail", add.finishEmailAction, ["code"]],
  ["beginSms", add.beginSmsAction, ["phone"]],
  ["finishSms", add.finishSmsAction, ["phone", "code"]],
  // No fields: anything sent is ignored, never a throw.
  ["signOutOtherSessions", security.signOutOtherSessionsAction, []],
  ["regenerateRecoveryCodes", security.regenerateRecoveryCodesAction, []],
  ["turnOffTwoFactor", security.turnOffTwoFactorAction, []],
  ["beginEmail", add.beginEmailAction, []],
];

const STATE_KEYS = new Set(["ok", "error", "fieldErrors", "values", "data", "stepUp", "setUpFactor"]);

/** Runs the action; a redirect (Next's control flow for "done, go there") counts as an answer. */
async function run(action: FormAction, formData: FormData): Promise<ActionState<unknown> | "redirect"> {
  try {
    return await action({}, formData);
  } catch (error) {
    if (error instanceof Error && error.message === REDIRECT) return "redirect";
    throw error;
  }
}

async function signedInOwner() {
  const owner = await createSignedInUser();
  await addTotpFactor(owner.userId);
  request.sessionId = owner.sessionId;
  return owner;
}

const HUGE = "x".repeat(20_000);

describe("server actions: an oversized or malformed field is a field message, never a throw", () => {
  it.each(ACTIONS.filter(([, , fields]) => fields.length > 0))("%s: each field oversized, sent twice or as a file → that field's message", async (_name, action, fields) => {
    await signedInOwner();
    for (const field of fields) {
      const bad: [string, (f: FormData) => void][] = [
        ["oversized", (f) => f.set(field, HUGE)],
        ["a file", (f) => f.set(field, new File(["x"], "x.txt"))],
      ];
      // Only the policy's methods are a list: any other field sent twice is malformed.
      if (field !== "allowedMethods") bad.push(["sent twice", (f) => (f.append(field, "a"), f.append(field, "b"))]);
      for (const [how, fill] of bad) {
        const formData = new FormData();
        fill(formData);
        const state = await run(action, formData);
        expect(state, `${field} ${how}`).not.toBe("redirect");
        expect((state as ActionState).fieldErrors?.[field]?.[0], `${field} ${how}`).toEqual(expect.any(String));
      }
    }
  });

  it("any form, signed in or not, gets an answer: fields of any size, shape and repetition (property)", async () => {
    const owner = await signedInOwner();
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.constantFrom(owner.teamId, owner.userId, "on", "admin", "owner", "totp", "sms", "email", "all", "0", "60", "-1", "1e9", "123456", "+14155552671", owner.email, "", " ", "\u0000", "__proto__"),
      fc.nat({ max: 30_000 }).map((n) => "9".repeat(n)),
    );
    for (const [name, action, fields] of ACTIONS) {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...fields, "extra", "constructor"), value), { maxLength: 10 }), fc.boolean(), async (entries, signedIn) => {
          request.sessionId = signedIn ? owner.sessionId : null;
          const formData = new FormData();
          for (const [key, v] of entries) formData.append(key, v);
          const state = await run(action, formData);
          if (state === "redirect") return;
          expect(typeof state, name).toBe("object");
          for (const key of Object.keys(state)) expect(STATE_KEYS.has(key), `${name}: ${key}`).toBe(true);
        }),
        { numRuns: 12 },
      );
    }
  }, 240_000);
});
