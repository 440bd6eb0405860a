import "server-only";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { log } from "@/lib/log";

/**
 * Backups of the embedded database while it runs. One process holds a PGlite folder
 * (pglite-lock.ts), so a copy of a running server's folder must come from that server:
 * it listens on a Unix socket in its data folder, `backup.sock`, and answers each connection
 * with a consistent tarball of the database (`npm run backup`, scripts/backup.ts). The socket
 * is a file with the folder's permissions (mode 0600): whoever may connect could as well read
 * the folder, so it needs no password, and it is reachable from no network.
 *
 * The protocol: the client sends nothing; the server writes one line, `ok <bytes>` or
 * `error <message>`, then the bytes, and closes.
 */
export const BACKUP_SOCKET = "backup.sock";

/**
 * A tarball of the data folder at one instant: PGlite runs one statement at a time, and the
 * dump waits for every open transaction to end (it runs inside one of its own), so it holds
 * exactly the committed transactions. CHECKPOINT first writes every change into the data
 * files, so the copy opens without replaying the log.
 */
export async function dumpDatabase(client: PGlite): Promise<Buffer> {
  await client.exec("CHECKPOINT");
  const tarball = await client.transaction(() => client.dumpDataDir("gzip"));
  return Buffer.from(await tarball.arrayBuffer());
}

/** Serves backups for `dataDir` (the folder that holds `db/`); returns the function that stops it. */
export function serveBackups(dataDir: string, client: PGlite): () => Promise<void> {
  const socketPath = path.join(dataDir, BACKUP_SOCKET);
  // Only the lock holder gets here: a socket file left by a killed server is ours to replace.
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => {
    socket.on("error", () => {}); // a client that went away
    const started = Date.now();
    dumpDatabase(client).then(
      (bytes) => {
        socket.write(`ok ${bytes.length}\n`);
        socket.end(bytes);
        log.info("db.backup_served", { bytes: bytes.length, ms: Date.now() - started });
      },
      (error: unknown) => {
        log.error("db.backup_failed", {}, error);
        socket.end(`error ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  server.on("error", (error) => log.warn("db.backup_socket_unavailable", { socket: socketPath }, error));
  const previousMask = process.umask(0o177);
  try {
    server.listen(socketPath);
  } finally {
    process.umask(previousMask);
  }
  server.unref();
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      fs.rmSync(socketPath, { force: true });
    });
}

/**
 * Asks the server holding `dataDir` for a backup. Resolves to null when no server listens
 * there (no socket file, or one left by a server that is gone).
 */
export function requestBackup(dataDir: string): Promise<Buffer | null> {
  const socketPath = path.join(dataDir, BACKUP_SOCKET);
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") resolve(null);
      else reject(error);
    });
    socket.on("end", () => {
      const all = Buffer.concat(chunks);
      const newline = all.indexOf(10);
      const head = all.subarray(0, newline === -1 ? all.length : newline).toString("utf8");
      const ok = head.match(/^ok (\d+)$/);
      if (!ok) return reject(new Error(head.startsWith("error ") ? `the server could not make the backup: ${head.slice(6)}` : "the server's answer was cut off"));
      const body = all.subarray(newline + 1);
      if (body.length !== Number(ok[1])) return reject(new Error(`the backup was cut off: ${body.length} of ${ok[1]} bytes`));
      resolve(body);
    });
  });
}
