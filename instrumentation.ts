/** Opens the database and applies pending migrations before the server takes requests. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareDatabase } = await import("@/lib/db");
  await prepareDatabase();
}
