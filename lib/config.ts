import path from "node:path";

/**
 * Every environment variable Tessera reads, with its default, in one place.
 * README.md → "Configuration" documents the same list.
 */
export const config = {
  /** A PostgreSQL server; unset means embedded PGlite in `dataDir`. */
  get databaseUrl(): string | undefined {
    return process.env.DATABASE_URL || undefined;
  },
  /** Folder for the embedded database and the generated development secret. */
  get dataDir(): string {
    return path.resolve(/*turbopackIgnore: true*/ process.env.TESSERA_DATA_DIR || ".data");
  },
  /** Master secret (≥ 32 characters); unset means a key generated once into `dataDir`. */
  get secret(): string | undefined {
    return process.env.TESSERA_SECRET || undefined;
  },
  /** The public URL people use; WebAuthn's origin and RP ID come from it. */
  get appUrl(): URL {
    return new URL(process.env.NEXTAUTH_URL || "http://localhost:3000");
  },
  get isProduction(): boolean {
    return process.env.NODE_ENV === "production";
  },
  /** The built-in outbox page is on in development, and in production only when asked for. */
  get devOutboxEnabled(): boolean {
    return process.env.NODE_ENV !== "production" || process.env.TESSERA_DEV_OUTBOX === "1";
  },
};
