import "server-only";
import { missingPeerServer } from "@/lib/auth/client-ip";
import { config } from "@/lib/config";
import { warnUnconfiguredChannels } from "@/lib/messaging/choose-provider";
import { checkKeyAgainstDatabase } from "@/lib/security/key-check";
import { loadMasterSecret } from "@/lib/security/secret";
import { db, prepareDatabase } from ".";
import { log } from "@/lib/log";
import { checkDataFolder, dataFolderProblem } from "./data-folder";

/**
 * A server without its database or its secret is useless: when the database cannot be
 * opened or migrated (the PGlite folder held by another process, an unreachable
 * DATABASE_URL), a production server has no TESSERA_SECRET, or the secret is not the one
 * the database's data was sealed with (lib/security/key-check.ts), stop the process with the
 * reason instead of serving errors. So is a production server that cannot tell a client's
 * address (a bare `next start`): every per-IP limit would answer to a forged header.
 * Those checks come first: a refusal leaves no new database behind. So does a data folder
 * that is read-only or full (lib/db/data-folder.ts), said as such rather than as a stack.
 * A channel with no provider does not stop the start (email-only or app-only teams work):
 * it is warned about.
 */
export async function prepareDatabaseOrExit(): Promise<void> {
  try {
    const peerServer = missingPeerServer({ proof: config.peerProof, production: config.isProduction });
    if (peerServer) throw new Error(peerServer);
    if (!config.databaseUrl) checkDataFolder(config.dataDir);
    loadMasterSecret();
    await prepareDatabase();
    await checkKeyAgainstDatabase(db());
  } catch (error) {
    const reason = (!config.databaseUrl && dataFolderProblem(error, config.dataDir)) || (error instanceof Error ? error.message : String(error));
    log.error("startup.failed", { message: `Tessera cannot start: ${reason}` }, error);
    process.exit(1);
  }
  warnUnconfiguredChannels();
}
