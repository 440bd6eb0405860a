import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { requestPasswordReset } from "@/lib/auth/password-reset";
import { db } from "@/lib/db";
import { teams } from "@/lib/db/schema";
import { notifyUser } from "@/lib/notifications";
import { sendEnrollmentReminders } from "@/lib/teams/reminders";
import { createUser, joinTeam, meta, outboxTo } from "@/tests/helpers";
import { greeting, safeDisplayName } from "./display-name";

describe("safeDisplayName", () => {
  it("collapses whitespace, drops control and bidi characters, caps the length without splitting characters", () => {
    expect(safeDisplayName("  Acme \n\t Corp  ")).toBe("Acme Corp");
    expect(safeDisplayName("Ac\u0000me\u202E\u0007")).toBe("Ac me");
    expect(safeDisplayName("x".repeat(100))).toHaveLength(60);
    expect(safeDisplayName("x".repeat(50), 30)).toHaveLength(30);
    const emoji = safeDisplayName("😀".repeat(40), 30)!;
    expect([...emoji]).toHaveLength(30);
    expect(emoji).not.toMatch(/[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u);
    expect(safeDisplayName("\n\u200B\t")).toBeNull();
    expect(safeDisplayName(null)).toBeNull();
  });

  it("drops names that carry a link, an address or a phone number (phishing through our messages)", () => {
    for (const name of ["evil.co/login", "https://x", "www.example", "pay-pal.com", "help@acme", "Call +1 415 555 2671", "Acme 555-01-23", "Acme http://evil.example", "Call +1 555 0100"]) {
      expect(safeDisplayName(name)).toBeNull();
    }
    for (const name of ["Acme Corp.", "Dr. Who's Clinic", "Team 2024", "AT&T", "Zoë & Søren", "A.B. Consulting"]) {
      expect(safeDisplayName(name)).toBe(name);
    }
    expect(greeting("Ada")).toBe("Hi Ada,");
    expect(greeting("Call +1 555 0100")).toBe("Hi,");
  });
});

/** Subject and text of every message sent to `to`. */
const mailTo = async (to: string) => (await outboxTo(to)).map((m) => `${m.subject}\n${m.text}`).join("\n---\n");

describe("our emails never relay a link or a number someone typed as a name", () => {
  it("the welcome email, a security notice and the password reset greet 'Call +1 555 0100' without the number", async () => {
    const user = await createUser({ name: "Call +1 555 0100" });
    await notifyUser(user.userId, "A second factor was added", ["Someone added a second factor."]);
    const reset = await requestPasswordReset(user.email, meta);
    if (!reset.ok) throw new Error(reset.message);
    await reset.delivered;
    const mails = await outboxTo(user.email);
    expect(mails.map((m) => m.subject)).toEqual(["Welcome to Tessera", "A second factor was added", "Reset your Tessera password"]);
    for (const mail of mails) expect(mail.text.startsWith("Hi,\n")).toBe(true);
    expect(await mailTo(user.email)).not.toMatch(/555/);
  });

  it("a reminder from the team 'Acme http://evil.example' names neither the team nor a link-bearing sender", async () => {
    const owner = await createUser({ name: "Visit www.evil.example" });
    await db().update(teams).set({ name: "Acme http://evil.example" }).where(eq(teams.id, owner.teamId));
    const member = await createUser({ name: "Mia" });
    await joinTeam(owner.teamId, member.userId);
    const sent = await sendEnrollmentReminders(owner.teamId, { id: owner.userId }, meta, { userIds: [member.userId] });
    expect(sent).toMatchObject({ ok: true, sent: 1 });
    const text = await mailTo(member.email);
    expect(text).not.toContain("evil");
    expect(text).toContain("Your team asks you to set up two-factor authentication");
    expect(text).toContain("Hi Mia,\n\nAn owner of your team asks you to set up two-factor authentication");
  });
});
