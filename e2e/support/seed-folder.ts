/**
 * Fills a fresh database for the specs that start their own servers (shutdown, backups):
 * a team whose owner signs in with an authenticator app, an API key, and a few credit
 * top-ups so the ledger has rows. Run with `tsx --conditions=react-server` (lib/db is
 * server-only) and TESSERA_DATA_DIR (and TESSERA_SECRET) set, before any server holds the
 * folder; prints one JSON line with what the spec needs.
 */
import { closeDatabase, db, prepareDatabase } from "@/lib/db";
import { addFactor } from "@/lib/factors";
import { setDefaultFactor } from "@/lib/factors/manage";
import { newTotpSecret, sealTotpSecret } from "@/lib/factors/totp/totp";
import { addCredits } from "@/lib/teams/credits";
import { createApiKey } from "@/lib/verify-api/keys";
import { seedTeam } from "../../scripts/seed";

await prepareDatabase();
const { teamId, ownerId, ownerEmail, ownerPassword } = await seedTeam({ members: 0, teamName: "Ops Corp" });
const totpSecret = newTotpSecret();
const totp = await db().transaction((tx) =>
  addFactor(tx, { userId: ownerId, kind: "totp", label: "Phone app", secretEncrypted: sealTotpSecret(totpSecret, ownerId) }, {}),
);
const made = await setDefaultFactor(ownerId, totp.factorId, {});
if (!made.ok) throw new Error(`could not make the authenticator app the default: ${made.message}`);
const key = await createApiKey(teamId, { id: ownerId }, "ops", {});
if (!key.ok) throw new Error(`could not create an API key: ${key.message}`);
for (const amount of [10, 20, 30]) {
  const added = await addCredits(teamId, { id: ownerId }, amount, {});
  if (!added.ok) throw new Error(`could not add credits: ${JSON.stringify(added)}`);
}
await closeDatabase();
console.log(JSON.stringify({ teamId, ownerEmail, ownerPassword, totpSecret, apiKey: key.key }));
