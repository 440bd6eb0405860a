import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { factors, memberships, recoveryCodes, teams, users, type FactorKind, type Role } from "@/lib/db/schema";
import { escapeLike, listTeamMembers, parseMemberQuery, type MemberQuery, type MemberSort } from "./members";

type Seed = {
  name?: string;
  email?: string;
  role?: Role;
  kinds?: FactorKind[];
  defaultKind?: FactorKind;
  codes?: { unused: number; used: number };
  lastSignInDaysAgo?: number | null;
  lastTwoFactorDaysAgo?: number | null;
};

const daysAgo = (days: number | null | undefined) => (days == null ? null : new Date(Date.now() - days * 86_400_000));

async function newTeam(policy: Partial<typeof teams.$inferInsert> = {}) {
  const [team] = await db().insert(teams).values({ name: "Acme", ...policy }).returning({ id: teams.id });
  return team!.id;
}

/** A member written straight to the tables (no sign-up: hashing a password per member would take seconds). */
async function addMember(teamId: string, seed: Seed = {}) {
  const id = randomUUID();
  const name = seed.name ?? `Member ${id.slice(0, 8)}`;
  await db()
    .insert(users)
    .values({
      id,
      name,
      email: seed.email ?? `m-${id.slice(0, 8)}@example.com`,
      passwordHash: "scrypt$unused",
      lastSignInAt: daysAgo(seed.lastSignInDaysAgo),
      lastTwoFactorAt: daysAgo(seed.lastTwoFactorDaysAgo),
    });
  await db().insert(memberships).values({ teamId, userId: id, role: seed.role ?? "member" });
  const kinds = seed.kinds ?? [];
  if (kinds.length > 0) {
    const defaultKind = seed.defaultKind ?? kinds[0];
    await db()
      .insert(factors)
      .values(kinds.map((kind, i) => ({ userId: id, kind, label: `${kind} ${i}`, phone: kind === "sms" ? "+14155552671" : null, isDefault: kind === defaultKind && kinds.indexOf(kind) === i })));
  }
  const codes = seed.codes ?? { unused: 0, used: 0 };
  const rows = [
    ...Array.from({ length: codes.unused }, (_, i) => ({ userId: id, codeHash: `u${i}-${id}` })),
    ...Array.from({ length: codes.used }, (_, i) => ({ userId: id, codeHash: `c${i}-${id}`, consumedAt: new Date() })),
  ];
  if (rows.length > 0) await db().insert(recoveryCodes).values(rows);
  return { id, name };
}

const ids = (page: { rows: { userId: string }[] }) => page.rows.map((r) => r.userId);
const names = (page: { rows: { name: string }[] }) => page.rows.map((r) => r.name);

describe("listTeamMembers: status and summary", () => {
  it("on / off while the team does not require 2FA; the summary counts members and members with 2FA", async () => {
    const teamId = await newTeam();
    const on = await addMember(teamId, { name: "Ada", kinds: ["totp"] });
    const smsOnly = await addMember(teamId, { name: "Bob", kinds: ["sms"] });
    const off = await addMember(teamId, { name: "Cy" });

    const page = await listTeamMembers(teamId);
    expect(page.rows.map((r) => [r.userId, r.status])).toEqual([
      [on.id, "on"],
      [smsOnly.id, "on"],
      [off.id, "off"],
    ]);
    expect(page.summary).toEqual({ members: 3, withTwoFactor: 2, missing: 0, required: false });
    expect(page).toMatchObject({ total: 3, page: 1, pageCount: 1, pageSize: 50 });
  });

  it("'missing' only where this team requires 2FA, judged by this team's allowed methods and SMS-as-backup rule", async () => {
    const strict = await newTeam({ requireTwoFactor: true, allowedMethods: ["totp", "webauthn", "sms"], smsBackupOnly: true, defaultMethod: "totp" });
    const relaxed = await newTeam();
    const app = await addMember(strict, { name: "A app", kinds: ["totp"] });
    const smsOnly = await addMember(strict, { name: "B sms only", kinds: ["sms"] });
    const emailOnly = await addMember(strict, { name: "C email only", kinds: ["email"] });
    const smsAndKey = await addMember(strict, { name: "D sms and key", kinds: ["sms", "webauthn"] });
    const none = await addMember(strict, { name: "E none" });
    for (const m of [smsOnly, emailOnly, none]) await db().insert(memberships).values({ teamId: relaxed, userId: m.id, role: "member" });

    const strictPage = await listTeamMembers(strict);
    expect(Object.fromEntries(strictPage.rows.map((r) => [r.userId, r.status]))).toEqual({
      [app.id]: "on",
      [smsOnly.id]: "missing",
      [emailOnly.id]: "missing",
      [smsAndKey.id]: "on",
      [none.id]: "missing",
    });
    expect(strictPage.summary).toEqual({ members: 5, withTwoFactor: 4, missing: 3, required: true });

    // The same people in a team that does not require 2FA are simply on or off there.
    const relaxedPage = await listTeamMembers(relaxed);
    expect(Object.fromEntries(relaxedPage.rows.map((r) => [r.userId, r.status]))).toEqual({ [smsOnly.id]: "on", [emailOnly.id]: "on", [none.id]: "off" });
    expect(relaxedPage.summary).toEqual({ members: 3, withTwoFactor: 2, missing: 0, required: false });
  });

  it("with SMS allowed as a primary method, an SMS factor satisfies the requirement", async () => {
    const teamId = await newTeam({ requireTwoFactor: true, allowedMethods: ["sms", "totp"], smsBackupOnly: false, defaultMethod: "sms" });
    const sms = await addMember(teamId, { kinds: ["sms"] });
    expect((await listTeamMembers(teamId)).rows.find((r) => r.userId === sms.id)?.status).toBe("on");
  });

  it("reads methods (distinct, in the usual order), the default, recovery codes left and last sign-in / 2FA use", async () => {
    const teamId = await newTeam();
    const full = await addMember(teamId, {
      name: "Ada",
      kinds: ["webauthn", "totp", "webauthn", "email"],
      defaultKind: "email",
      codes: { unused: 7, used: 3 },
      lastSignInDaysAgo: 2,
      lastTwoFactorDaysAgo: 3,
    });
    await addMember(teamId, { name: "Bob" });

    const [ada, bob] = (await listTeamMembers(teamId)).rows;
    expect(ada).toMatchObject({ userId: full.id, methods: ["totp", "email", "webauthn"], defaultMethod: "email", recoveryCodesLeft: 7, role: "member" });
    expect(ada!.lastSignInAt).toBeInstanceOf(Date);
    expect(Math.abs(ada!.lastSignInAt!.getTime() - daysAgo(2)!.getTime())).toBeLessThan(60_000);
    expect(Math.abs(ada!.lastTwoFactorAt!.getTime() - daysAgo(3)!.getTime())).toBeLessThan(60_000);
    expect(bob).toMatchObject({ methods: [], defaultMethod: null, recoveryCodesLeft: 0, lastSignInAt: null, lastTwoFactorAt: null, status: "off" });
  });

  it("lists only this team's members; an unknown team is empty", async () => {
    const mine = await newTeam();
    const other = await newTeam();
    const me = await addMember(mine);
    await addMember(other, { kinds: ["totp"] });
    expect(ids(await listTeamMembers(mine))).toEqual([me.id]);
    expect(await listTeamMembers(randomUUID())).toMatchObject({ rows: [], total: 0, page: 1, pageCount: 1, summary: { members: 0, withTwoFactor: 0, missing: 0, required: false } });
  });
});

describe("listTeamMembers: filter and search", () => {
  async function mixedTeam() {
    const teamId = await newTeam({ requireTwoFactor: true, allowedMethods: ["totp", "webauthn"], defaultMethod: "totp" });
    const people = {
      ada: await addMember(teamId, { name: "Ada Lovelace", email: "ada@analytical.org", kinds: ["totp"] }),
      grace: await addMember(teamId, { name: "Grace Hopper", email: "grace@navy.mil", kinds: ["email"] }),
      alan: await addMember(teamId, { name: "Alan Turing", email: "alan@bletchley.uk" }),
      percent: await addMember(teamId, { name: "100% Reliable", email: "pct@example.com", kinds: ["webauthn"] }),
      under: await addMember(teamId, { name: "snake_case", email: "under@example.com" }),
      slash: await addMember(teamId, { name: "Back\\slash", email: "slash@example.com" }),
    };
    return { teamId, people };
  }

  it("filters by status; total and pageCount follow the filter, the summary does not", async () => {
    const { teamId, people } = await mixedTeam();
    const missing = await listTeamMembers(teamId, { status: "missing" });
    expect(new Set(ids(missing))).toEqual(new Set([people.grace.id, people.alan.id, people.under.id, people.slash.id]));
    expect(missing.total).toBe(4);
    expect(missing.summary).toEqual({ members: 6, withTwoFactor: 3, missing: 4, required: true });
    expect(new Set(ids(await listTeamMembers(teamId, { status: "on" })))).toEqual(new Set([people.ada.id, people.percent.id]));
    // Grace has a factor, but not one this team accepts: missing, not on and not off.
    expect(ids(await listTeamMembers(teamId, { status: "off" }))).toEqual([]);
  });

  it("searches name or email, case-insensitively, combined with the filter", async () => {
    const { teamId, people } = await mixedTeam();
    expect(ids(await listTeamMembers(teamId, { q: "LOVELACE" }))).toEqual([people.ada.id]);
    expect(ids(await listTeamMembers(teamId, { q: "Navy.MIL" }))).toEqual([people.grace.id]);
    expect(new Set(ids(await listTeamMembers(teamId, { q: "  al " })))).toEqual(new Set([people.ada.id, people.alan.id]));
    expect(ids(await listTeamMembers(teamId, { q: "al", status: "missing" }))).toEqual([people.alan.id]);
    const none = await listTeamMembers(teamId, { q: "nobody" });
    expect(none).toMatchObject({ rows: [], total: 0, page: 1, pageCount: 1 });
    expect(none.summary.members).toBe(6);
  });

  it("treats %, _ and \\ in the search as plain characters", async () => {
    const { teamId, people } = await mixedTeam();
    expect(ids(await listTeamMembers(teamId, { q: "%" }))).toEqual([people.percent.id]);
    expect(ids(await listTeamMembers(teamId, { q: "_" }))).toEqual([people.under.id]);
    expect(ids(await listTeamMembers(teamId, { q: "k\\s" }))).toEqual([people.slash.id]);
    expect(ids(await listTeamMembers(teamId, { q: "a%e" }))).toEqual([]);
    expect(escapeLike("50%_off\\")).toBe("50\\%\\_off\\\\");
  });
});

describe("listTeamMembers: sorting", () => {
  async function sortTeam() {
    const teamId = await newTeam({ requireTwoFactor: true, allowedMethods: ["totp"], defaultMethod: "totp" });
    const m = {
      carol: await addMember(teamId, { name: "carol", email: "z@example.com", role: "admin", kinds: ["totp"], lastSignInDaysAgo: 1, lastTwoFactorDaysAgo: 5 }),
      alice: await addMember(teamId, { name: "Alice", email: "y@example.com", role: "member", lastSignInDaysAgo: 10 }),
      bob: await addMember(teamId, { name: "Bob", email: "x@example.com", role: "owner", kinds: ["email"], lastSignInDaysAgo: null, lastTwoFactorDaysAgo: 1 }),
    };
    return { teamId, m };
  }

  const cases: [MemberSort, "asc" | "desc" | undefined, (m: Awaited<ReturnType<typeof sortTeam>>["m"]) => string[]][] = [
    ["name", undefined, (m) => [m.alice.id, m.bob.id, m.carol.id]],
    ["name", "desc", (m) => [m.carol.id, m.bob.id, m.alice.id]],
    ["email", "asc", (m) => [m.bob.id, m.alice.id, m.carol.id]],
    ["role", "asc", (m) => [m.bob.id, m.carol.id, m.alice.id]],
    ["role", "desc", (m) => [m.alice.id, m.carol.id, m.bob.id]],
    // missing (Alice, Bob: email is not allowed) before on; ties by name.
    ["status", "asc", (m) => [m.alice.id, m.bob.id, m.carol.id]],
    ["status", "desc", (m) => [m.carol.id, m.alice.id, m.bob.id]],
    // Newest first by default; "never" is the oldest.
    ["last_sign_in", undefined, (m) => [m.carol.id, m.alice.id, m.bob.id]],
    ["last_sign_in", "asc", (m) => [m.bob.id, m.alice.id, m.carol.id]],
    ["last_two_factor", "desc", (m) => [m.bob.id, m.carol.id, m.alice.id]],
    ["last_two_factor", "asc", (m) => [m.alice.id, m.carol.id, m.bob.id]],
  ];

  it.each(cases)("by %s %s", async (sort, dir, expected) => {
    const { teamId, m } = await sortTeam();
    expect(ids(await listTeamMembers(teamId, { sort, dir }))).toEqual(expected(m));
  });

  it("equal keys keep one order across pages (tie-break by user id): every member exactly once", async () => {
    const teamId = await newTeam();
    const added = [];
    for (let i = 0; i < 23; i += 1) added.push((await addMember(teamId, { name: "Same Name", email: `same${i}@example.com` })).id);
    // The same moment for everyone: only the tie-break tells them apart.
    await db().update(users).set({ lastSignInAt: new Date("2026-01-02T03:04:05Z") });
    for (const sort of ["role", "status", "last_sign_in"] as const) {
      const seen: string[] = [];
      for (let page = 1; page <= 5; page += 1) seen.push(...ids(await listTeamMembers(teamId, { sort, page, pageSize: 5 })));
      expect(seen).toHaveLength(23);
      expect(new Set(seen)).toEqual(new Set(added));
      expect(seen).toEqual([...added].sort());
    }
  });
});

describe("listTeamMembers: pagination", () => {
  it("pages through the list; out-of-range pages and sizes are brought within bounds", async () => {
    const teamId = await newTeam();
    for (let i = 0; i < 12; i += 1) await addMember(teamId, { name: `Person ${String(i).padStart(2, "0")}` });

    const first = await listTeamMembers(teamId, { pageSize: 5 });
    expect(first).toMatchObject({ total: 12, page: 1, pageSize: 5, pageCount: 3 });
    expect(names(first)).toEqual(["Person 00", "Person 01", "Person 02", "Person 03", "Person 04"]);
    expect(names(await listTeamMembers(teamId, { pageSize: 5, page: 3 }))).toEqual(["Person 10", "Person 11"]);

    const cases: [MemberQuery, { page: number; pageSize: number; first: string }][] = [
      [{ pageSize: 5, page: 99 }, { page: 3, pageSize: 5, first: "Person 10" }],
      [{ pageSize: 5, page: 1e21 }, { page: 3, pageSize: 5, first: "Person 10" }],
      [{ pageSize: 5, page: 0 }, { page: 1, pageSize: 5, first: "Person 00" }],
      [{ pageSize: 5, page: -4 }, { page: 1, pageSize: 5, first: "Person 00" }],
      [{ pageSize: 5, page: Number.NaN }, { page: 1, pageSize: 5, first: "Person 00" }],
      [{ pageSize: 5, page: 2.7 }, { page: 2, pageSize: 5, first: "Person 05" }],
      [{ pageSize: 0 }, { page: 1, pageSize: 50, first: "Person 00" }],
      [{ pageSize: -3 }, { page: 1, pageSize: 1, first: "Person 00" }],
      [{ pageSize: 100_000 }, { page: 1, pageSize: 200, first: "Person 00" }],
    ];
    for (const [query, want] of cases) {
      const page = await listTeamMembers(teamId, query);
      expect({ page: page.page, pageSize: page.pageSize, first: page.rows[0]?.name }, JSON.stringify(query)).toEqual(want);
    }
  });
});

describe("parseMemberQuery", () => {
  it("keeps valid URL values and falls back on anything else", () => {
    expect(parseMemberQuery({ status: "missing", q: "  ada   l ", sort: "last_sign_in", dir: "asc", page: "3" })).toEqual({
      status: "missing",
      q: "ada l",
      sort: "last_sign_in",
      dir: "asc",
      page: 3,
    });
    expect(parseMemberQuery({ status: "weird", q: ["x", "y"], sort: "password_hash", dir: "sideways", page: "-2" })).toEqual({
      status: "all",
      q: "x",
      sort: "name",
      dir: undefined,
      page: 1,
    });
    expect(parseMemberQuery({}).q).toBe("");
    expect(parseMemberQuery({ q: "x".repeat(500) }).q).toHaveLength(100);
  });
});

describe("listTeamMembers: scale", () => {
  it("counts and filters 2,000 members (inserted in bulk) correctly", async () => {
    const teamId = await newTeam({ requireTwoFactor: true });
    const batch = Array.from({ length: 2000 }, (_, i) => ({ id: randomUUID(), name: `Bulk ${i}`, email: `bulk${i}@example.com`, passwordHash: "scrypt$unused" }));
    await db().insert(users).values(batch);
    await db().insert(memberships).values(batch.map((u) => ({ teamId, userId: u.id, role: "member" as const })));
    await db().insert(factors).values(batch.filter((_, i) => i % 5 !== 0).map((u) => ({ userId: u.id, kind: "totp" as const, label: "App", isDefault: true })));
    await db().execute(sql`analyze`);

    const page = await listTeamMembers(teamId, { status: "missing", q: "bulk1", sort: "last_sign_in" });
    expect(page.summary).toEqual({ members: 2000, withTwoFactor: 1600, missing: 400, required: true });
    // Emails bulk1…, bulk10–19, bulk100–199, bulk1000–1999 (1,111 of them); a fifth have no factor.
    expect(page.total).toBe(222);
    expect(page.rows).toHaveLength(50);
    expect(page.rows.every((r) => r.status === "missing" && r.email.startsWith("bulk1"))).toBe(true);
  });
});

describe("listTeamMembers: queries", () => {
  it("reads a page in one query, however many rows it has; a page past the end takes a second", async () => {
    const teamId = await newTeam({ requireTwoFactor: true });
    for (let i = 0; i < 30; i += 1) await addMember(teamId, { kinds: i % 2 ? ["totp", "email"] : [], codes: { unused: 3, used: 1 } });
    // drizzle prepares every statement through its session: counting those counts the round trips.
    const session = (db() as unknown as { session: { prepareQuery: (...args: unknown[]) => unknown } }).session;
    const spy = vi.spyOn(session, "prepareQuery");
    try {
      await listTeamMembers(teamId, { pageSize: 25 });
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockClear();
      const last = await listTeamMembers(teamId, { pageSize: 25, page: 9 });
      expect(last).toMatchObject({ page: 2, pageCount: 2 });
      expect(last.rows).toHaveLength(5);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});
