/**
 * Fills one team with members for the members-page benchmark and for trying the team pages:
 *
 *   npm run seed -- --members 10000 [--team-name "Acme Corp"] [--email owner@example.com] [--password "…"]
 *
 * Writes to the configured database: PGlite in $TESSERA_DATA_DIR (./.data) — stop the dev
 * server first, one process per folder — or the PostgreSQL server in DATABASE_URL. Creates an
 * owner (2FA by email code: read it at /dev/outbox), a team that requires 2FA with a 14-day
 * grace period, and N members: about 80% with second factors of various kinds, recovery codes
 * partly used, sign-ins spread over half a year. Rows go in batches, several per statement.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { hashPassword } from "@/lib/auth/password";
import { config } from "@/lib/config";
import { closeDatabase, db, prepareDatabase } from "@/lib/db";
import { factors, memberships, recoveryCodes, teams, users, type FactorKind, type Role } from "@/lib/db/schema";
import { addFactor } from "@/lib/factors";
import { newTotpSecret, sealTotpSecret } from "@/lib/factors/totp/totp";

export type SeedOptions = { members: number; teamName: string; ownerEmail?: string; ownerPassword?: string; log?: (line: string) => void };
export type SeedResult = { teamId: string; ownerId: string; ownerEmail: string; ownerPassword: string; members: number };

const FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim", "Radia", "Edsger", "Hedy", "John", "Katherine", "Guido", "Anita", "Bjarne", "Shafi", "Donald", "Sophie", "Yukihiro", "Joan", "Niklaus", "Zoë", "José", "Chloé", "Søren", "Amélie", "Mei", "Priya", "Kwame", "Olu", "Fatima", "Ingrid", "Mateo", "Aiko", "Lars", "Noor", "Ravi"];
const LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "Berners-Lee", "Perlman", "Dijkstra", "Lamarr", "McCarthy", "Johnson", "van Rossum", "Borg", "Stroustrup", "Goldwasser", "Knuth", "Wilson", "Matsumoto", "Clarke", "Wirth", "Müller", "García", "O'Neil", "Nakamura", "Okafor", "Larsen", "Haddad", "Kowalski", "Singh", "Mensah", "Andersson", "Rossi", "Dubois", "Yilmaz", "Costa", "Novak"];

/** Factor sets and how often they occur (weights sum to 100): about 80% have 2FA. */
const FACTOR_SETS: [FactorKind[], number][] = [
  [[], 20],
  [["totp"], 28],
  [["webauthn"], 8],
  [["webauthn", "webauthn"], 3],
  [["email"], 12],
  [["sms"], 4],
  [["totp", "sms"], 10],
  [["totp", "webauthn"], 9],
  [["email", "sms"], 3],
  [["totp", "email", "webauthn"], 3],
];
const USED_CODES: [number, number][] = [
  [0, 70],
  [1, 12],
  [2, 6],
  [3, 4],
  [5, 4],
  [8, 3],
  [10, 1],
];
const DAY = 86_400_000;

/** A small seeded PRNG (mulberry32): the same arguments give the same team. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(rand: () => number, table: [T, number][]): T {
  let roll = rand() * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of table) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return table[table.length - 1]![0];
}

const token = (bytes: number) => randomBytes(bytes).toString("base64url");

export async function seedTeam(options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => {});
  const stamp = Date.now().toString(36);
  const ownerEmail = (options.ownerEmail ?? `owner-${stamp}@example.com`).toLowerCase();
  const ownerPassword = options.ownerPassword ?? `seeded-${token(9)}`;
  const rand = random(options.members * 7919 + 17);

  // scrypt at N=2^15 costs ~100 ms: one hash serves every seeded account.
  const passwordHash = await hashPassword(ownerPassword);
  const { teamId, ownerId } = await db().transaction(async (tx) => {
    const [owner] = await tx.insert(users).values({ name: "Olivia Owner", email: ownerEmail, passwordHash, lastSignInAt: new Date() }).returning({ id: users.id });
    const [team] = await tx
      .insert(teams)
      .values({
        name: options.teamName,
        requireTwoFactor: true,
        graceDays: 14,
        requireStartedAt: new Date(),
        allowedMethods: ["totp", "webauthn", "email", "sms"],
        smsBackupOnly: true,
        defaultMethod: "totp",
      })
      .returning({ id: teams.id });
    await tx.insert(memberships).values({ teamId: team!.id, userId: owner!.id, role: "owner" });
    await addFactor(tx, { userId: owner!.id, kind: "email", label: "Email" }, {});
    return { teamId: team!.id, ownerId: owner!.id };
  });

  const domain = `${options.teamName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "team"}.example`;
  const BATCH = 1000;
  const now = Date.now();
  for (let start = 0; start < options.members; start += BATCH) {
    const userRows: (typeof users.$inferInsert)[] = [];
    const memberRows: (typeof memberships.$inferInsert)[] = [];
    const factorRows: (typeof factors.$inferInsert)[] = [];
    const codeRows: (typeof recoveryCodes.$inferInsert)[] = [];
    for (let i = start; i < Math.min(start + BATCH, options.members); i += 1) {
      const id = randomUUID();
      const first = FIRST[Math.floor(rand() * FIRST.length)]!;
      const last = LAST[Math.floor(rand() * LAST.length)]!;
      const local = `${first}.${last}`
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/[^A-Za-z.]/g, "")
        .toLowerCase();
      const kinds = weighted(rand, FACTOR_SETS);
      // Sign-ins cluster in recent days and thin out over half a year; 5% never signed in.
      const lastSignIn = rand() < 0.05 ? null : new Date(now - Math.floor(180 * DAY * rand() ** 3) - Math.floor(rand() * DAY));
      const lastTwoFactor = kinds.length === 0 || !lastSignIn ? null : new Date(lastSignIn.getTime() - (rand() < 0.8 ? 0 : Math.floor(rand() * 30 * DAY)));
      userRows.push({ id, name: `${first} ${last}`, email: `${local}.${i + 1}@${domain}`, passwordHash, lastSignInAt: lastSignIn, lastTwoFactorAt: lastTwoFactor });
      memberRows.push({ teamId, userId: id, role: weighted<Role>(rand, [["member", 97], ["admin", 3]]) });

      // The default is the first kind of the set (the sets never start with SMS unless it is the only one).
      kinds.forEach((kind, n) => {
        factorRows.push({
          userId: id,
          kind,
          label: kind === "webauthn" ? (n === 0 ? "YubiKey" : "MacBook Touch ID") : kind === "totp" ? "Phone app" : kind === "sms" ? "Phone" : "Email",
          secretEncrypted: kind === "totp" ? sealTotpSecret(newTotpSecret(), id) : null,
          phone: kind === "sms" ? `+1415555${String(1000 + Math.floor(rand() * 9000))}` : null,
          credentialId: kind === "webauthn" ? token(32) : null,
          publicKey: kind === "webauthn" ? token(77) : null,
          signCount: kind === "webauthn" ? Math.floor(rand() * 200) : null,
          transports: kind === "webauthn" ? ["usb", "nfc"] : null,
          isDefault: n === 0,
          lastUsedAt: n === 0 ? lastTwoFactor : null,
        });
      });
      if (kinds.length > 0) {
        const used = weighted(rand, USED_CODES);
        for (let c = 0; c < 10; c += 1) codeRows.push({ userId: id, codeHash: token(32), consumedAt: c < used ? new Date(now - Math.floor(rand() * 90 * DAY)) : null });
      }
    }
    await db().transaction(async (tx) => {
      await tx.insert(users).values(userRows);
      await tx.insert(memberships).values(memberRows);
      for (let f = 0; f < factorRows.length; f += BATCH) await tx.insert(factors).values(factorRows.slice(f, f + BATCH));
      for (let c = 0; c < codeRows.length; c += 5 * BATCH) await tx.insert(recoveryCodes).values(codeRows.slice(c, c + 5 * BATCH));
    });
    log(`  ${Math.min(start + BATCH, options.members).toLocaleString("en-US")} members`);
  }
  // Fresh statistics, so the planner sees 10,000 members rather than an empty table.
  await db().execute(sql`analyze`);
  return { teamId, ownerId, ownerEmail, ownerPassword, members: options.members };
}

async function main() {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "1000" },
      "team-name": { type: "string", default: "Acme Corp" },
      email: { type: "string" },
      password: { type: "string" },
    },
  });
  const members = Number(values.members);
  if (!Number.isInteger(members) || members < 0 || members > 1_000_000) throw new Error("--members takes a whole number from 0 to 1,000,000.");
  const where = config.databaseUrl ? "the PostgreSQL server in DATABASE_URL" : `PGlite in ${config.dataDir}`;
  console.log(`Seeding ${members.toLocaleString("en-US")} members into ${where}…`);
  const started = performance.now();
  await prepareDatabase();
  const result = await seedTeam({ members, teamName: values["team-name"]!, ownerEmail: values.email, ownerPassword: values.password, log: console.log });
  console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  console.log("");
  console.log(`Team:     ${values["team-name"]} (${result.teamId}), requires 2FA with a 14-day grace period`);
  console.log(`Owner:    ${result.ownerEmail}`);
  console.log(`Password: ${result.ownerPassword}   (every seeded member has the same one)`);
  console.log("2FA:      email code — read it at /dev/outbox");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main()
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    })
    .finally(() => closeDatabase());
}
