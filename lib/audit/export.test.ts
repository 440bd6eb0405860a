import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { SETUP_REQUIRED_MESSAGE } from "@/lib/auth/policy-gate";
import { db } from "@/lib/db";
import { auditEvents, memberships, teams, users, type Role } from "@/lib/db/schema";
import { addTotpFactor, createUser, meta } from "@/tests/helpers";
import { EXPORT_MESSAGES, startTeamAuditExport } from "./export";

const PATH = "/team/audit/export";

async function join(teamId: string, userId: string, role: Role) {
  await db().insert(memberships).values({ teamId, userId, role, createdAt: sql`now() - interval '1 hour'` });
}

async function exportAs(userId: string | null, teamId: string, extra: Partial<Parameters<typeof startTeamAuditExport>[0]> = {}) {
  return startTeamAuditExport({ user: userId ? { id: userId } : null, path: PATH, teamId, ...extra });
}

/** The body as sent: Response.text() would drop the byte-order mark. */
async function read(body: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(body).arrayBuffer());
}

describe("startTeamAuditExport", () => {
  it("refuses without a session", async () => {
    const owner = await createUser();
    expect(await exportAs(null, owner.teamId)).toEqual({ ok: false, status: 401, message: EXPORT_MESSAGES.SIGNED_OUT });
  });

  it("refuses a plain member of the team", async () => {
    const owner = await createUser();
    const member = await createUser();
    await join(owner.teamId, member.userId, "member");
    expect(await exportAs(member.userId, owner.teamId)).toEqual({ ok: false, status: 403, message: EXPORT_MESSAGES.FORBIDDEN });
  });

  it.each(["owner", "admin"] as const)("refuses the %s of another team", async (role) => {
    const owner = await createUser();
    const stranger = await createUser();
    const strangersTeam = await createUser();
    await join(strangersTeam.teamId, stranger.userId, role);
    expect(await exportAs(stranger.userId, owner.teamId)).toMatchObject({ ok: false, status: 403 });
    expect(await exportAs(stranger.userId, "not-a-team")).toMatchObject({ ok: false, status: 403 });
  });

  it("refuses an admin whom a 2FA requirement holds at set-up", async () => {
    const owner = await createUser();
    const admin = await createUser();
    await join(owner.teamId, admin.userId, "admin");
    await db().update(teams).set({ requireTwoFactor: true, graceDays: 0, requireStartedAt: sql`now() - interval '1 day'` }).where(eq(teams.id, owner.teamId));
    expect(await exportAs(admin.userId, owner.teamId)).toEqual({ ok: false, status: 403, message: SETUP_REQUIRED_MESSAGE });
    await addTotpFactor(admin.userId);
    expect((await exportAs(admin.userId, owner.teamId)).ok).toBe(true);
  });

  it("gives an admin the team's log as CSV, newest first, formulas defused", async () => {
    const owner = await createUser({ name: "Olivia Owner" });
    const admin = await createUser({ name: "=HYPERLINK(\"http://evil.example\")" });
    await join(owner.teamId, admin.userId, "admin");
    await db().update(teams).set({ name: "Acme, Inc. (EU)" }).where(eq(teams.id, owner.teamId));
    await db().delete(auditEvents);
    await db()
      .insert(auditEvents)
      .values([
        { type: "sign_in.succeeded", userId: admin.userId, data: { method: "totp" }, ip: meta.ip, userAgent: meta.userAgent, createdAt: sql`now() - interval '2 minutes'` },
        { type: "policy.changed", teamId: owner.teamId, actorId: owner.userId, data: { changed: { graceDays: { from: 0, to: 3 } } }, createdAt: sql`now() - interval '1 minute'` },
      ]);

    const result = await exportAs(admin.userId, owner.teamId, { now: new Date("2026-05-01T10:00:00Z") });
    if (!result.ok) throw new Error(result.message);
    expect(result.filename).toBe("tessera-audit-acme-inc-eu-2026-05-01.csv");
    const text = await read(result.body);
    expect(text.startsWith("\uFEFFTime (UTC),Event,Description,Member,Member email,Actor,Actor email,IP address,Device,User agent,Details,Data,Event ID\r\n")).toBe(true);
    const lines = text.slice(1).trimEnd().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,policy\.changed,Team two-factor policy changed,,,Olivia Owner,/);
    expect(lines[1]).toContain("Grace period: none → 3 days");
    // A member's sign-in: that they passed 2FA, when — no IP, device, user agent or method.
    expect(lines[2]).toContain(`,sign_in.succeeded,Passed two-factor authentication at sign-in,"'=HYPERLINK(""http://evil.example"")",${admin.email},,,,,,,{},`);
  });

  it("applies the filters and pages through the log, stopping at the cap with a note", async () => {
    const owner = await createUser();
    const member = await createUser();
    await join(owner.teamId, member.userId, "member");
    await db().delete(auditEvents);
    await db()
      .insert(auditEvents)
      .values(
        Array.from({ length: 7 }, (_, i) => ({
          type: i % 2 ? "factor.added" : "sign_in.succeeded",
          userId: i < 5 ? member.userId : owner.userId,
          data: i % 2 ? { kind: "totp" } : { method: "totp" },
          createdAt: sql`now() - (${i} * interval '1 millisecond')`,
        })),
      );
    const rows = async (filters: Parameters<typeof startTeamAuditExport>[0]["filters"], cap?: number) => {
      const result = await exportAs(owner.userId, owner.teamId, { filters, cap });
      if (!result.ok) throw new Error(result.message);
      return (await read(result.body)).trimEnd().split("\r\n").slice(1);
    };
    expect(await rows({})).toHaveLength(7);
    expect(await rows({ userId: member.userId })).toHaveLength(5);
    expect(await rows({ userId: member.userId, type: "factor.added" })).toHaveLength(2);
    const capped = await rows({}, 4);
    expect(capped).toHaveLength(5);
    expect(capped.at(-1)).toBe("Export stopped at 4 events. Filter by member or event to export the rest.");
    expect(await rows({}, 7)).toHaveLength(7);
  });

  it("never exports a former member's own events or another team's", async () => {
    const owner = await createUser();
    const gone = await createUser({ name: "Gone Member" });
    await join(owner.teamId, gone.userId, "member");
    await db().delete(memberships).where(eq(memberships.userId, gone.userId));
    await db().delete(auditEvents);
    await db().insert(auditEvents).values([
      { type: "sign_in.succeeded", userId: gone.userId },
      { type: "policy.changed", teamId: gone.teamId, actorId: gone.userId },
    ]);
    const result = await exportAs(owner.userId, owner.teamId);
    if (!result.ok) throw new Error(result.message);
    const text = await read(result.body);
    expect(text.trimEnd().split("\r\n")).toHaveLength(1);
    expect(await db().select().from(users).where(eq(users.id, gone.userId))).toHaveLength(1);
  });
});
