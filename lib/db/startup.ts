import { loadMasterSecret } from "@/lib/security/secret";
import { prepareDatabase } from ".";

/**
 * A server without its database or its secret is useless: when the database cannot be
 * opened or migrated (the PGlite folder held by another process, an unreachable
 * DATABASE_URL), or a production server has no TESSERA_SECRET, stop the process with the
 * reason instead of serving errors. The secret comes first: a refusal leaves no new database behind.
 */
export async function prepareDatabaseOrExit(): Promise<void> {
  try {
    loadMasterSecret();
    await prepareDatabase();
  } catch (error) {
    console.error(`Tessera cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
