/**
 * Opens the database and applies pending migrations before the server takes requests.
 * A server without its database is useless, so a failure here (the PGlite folder held by
 * another process, an unreachable DATABASE_URL) stops the process with the reason.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareDatabase } = await import("@/lib/db");
  try {
    await prepareDatabase();
  } catch (error) {
    console.error(`Tessera cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
