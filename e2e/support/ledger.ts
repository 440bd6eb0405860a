/**
 * Prints, as one JSON line, what a backup must keep exact in the folder at TESSERA_DATA_DIR
 * (no server may hold it): each team's balance, the sum of its credit ledger, and every
 * ledger row and verification id. Run with `tsx --conditions=react-server` (lib/db is server-only).
 */
import { asc } from "drizzle-orm";
import { closeDatabase, db } from "@/lib/db";
import { creditLedger, teams, verifications } from "@/lib/db/schema";

const ledger = await db().select({ seq: creditLedger.seq, teamId: creditLedger.teamId, delta: creditLedger.delta, balanceAfter: creditLedger.balanceAfter }).from(creditLedger).orderBy(asc(creditLedger.seq));
const teamRows = await db().select({ id: teams.id, balance: teams.creditBalance }).from(teams).orderBy(asc(teams.id));
const balances = teamRows.map((team) => ({ ...team, deltas: ledger.filter((row) => row.teamId === team.id).reduce((sum, row) => sum + row.delta, 0) }));
const ids = await db().select({ id: verifications.id }).from(verifications);
await closeDatabase();
console.log(JSON.stringify({ balances, ledger, verifications: ids.map((row) => row.id) }));
