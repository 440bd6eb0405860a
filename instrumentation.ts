/**
 * Opens the database and applies pending migrations before the server takes requests, then
 * starts the background upkeep (retention and reconciling, lib/db/maintenance.ts), which
 * scripts/server.mjs stops on shutdown.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareDatabaseOrExit } = await import("@/lib/db/startup");
  await prepareDatabaseOrExit();
  const { startMaintenance } = await import("@/lib/db/maintenance");
  startMaintenance();
}
