import { missingPeerServer } from "@/lib/auth/client-ip";
import { config } from "@/lib/config";
import { loadMasterSecret } from "@/lib/security/secret";
import { prepareDatabase } from ".";
import { checkDataFolder, dataFolderProblem } from "./data-folder";

/**
 * A server without its database or its secret is useless: when the database cannot be
 * opened or migrated (the PGlite folder held by another process, an unreachable
 * DATABASE_URL), or a production server has no TESSERA_SECRET, stop the process with the
 * reason instead of serving errors. So is a production server that cannot tell a client's
 * address (a bare `next start`): every per-IP limit would answer to a forged header.
 * Those checks come first: a refusal leaves no new database behind. So does a data folder
 * that is read-only or full (lib/db/data-folder.ts), said as such rather than as a stack.
 */
export async function prepareDatabaseOrExit(): Promise<void> {
  try {
    const peerServer = missingPeerServer({ proof: config.peerProof, production: config.isProduction });
    if (peerServer) throw new Error(peerServer);
    if (!config.databaseUrl) checkDataFolder(config.dataDir);
    loadMasterSecret();
    await prepareDatabase();
  } catch (error) {
    const reason = (!config.databaseUrl && dataFolderProblem(error, config.dataDir)) || (error instanceof Error ? error.message : String(error));
    console.error(`Tessera cannot start: ${reason}`);
    process.exit(1);
  }
}
