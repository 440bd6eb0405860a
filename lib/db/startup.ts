import { prepareDatabase } from ".";

/**
 * A server without its database is useless: when it cannot be opened or migrated (the
 * PGlite folder held by another process, an unreachable DATABASE_URL), stop the process
 * with the reason instead of serving errors.
 */
export async function prepareDatabaseOrExit(): Promise<void> {
  try {
    await prepareDatabase();
  } catch (error) {
    console.error(`Tessera cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
