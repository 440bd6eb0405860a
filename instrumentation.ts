/** Opens the database and applies pending migrations before the server takes requests. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareDatabaseOrExit } = await import("@/lib/db/startup");
  await prepareDatabaseOrExit();
}
