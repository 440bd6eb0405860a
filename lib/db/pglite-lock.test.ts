import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDataDirLock } from "./pglite-lock";

const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-lock-"));
  dirs.push(dir);
  return path.join(dir, "db");
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A real, running process other than this one. */
function otherProcess() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  return child;
}

describe("PGlite data folder lock", () => {
  it("is taken with the pid inside and released", () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    expect(fs.readFileSync(`${dir}.lock`, "utf8")).toBe(String(process.pid));
    expect(() => acquireDataDirLock(dir)).toThrow(`The database folder ${dir} is already open in this process.`);
    release();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    acquireDataDirLock(dir)();
  });

  it("refuses at once while another live process holds it, naming the folder and the process", async () => {
    const dir = tempDir();
    const child = otherProcess();
    try {
      fs.writeFileSync(`${dir}.lock`, String(child.pid));
      expect(() => acquireDataDirLock(dir)).toThrow(`The database folder ${dir} is in use by another process (pid ${child.pid}).`);
    } finally {
      child.kill();
      await new Promise((resolve) => child.once("exit", resolve));
    }
    // The holder is gone: its lock is stale and taken over.
    const release = acquireDataDirLock(dir);
    expect(fs.readFileSync(`${dir}.lock`, "utf8")).toBe(String(process.pid));
    release();
  });

  it("takes over a lock with garbage in it", () => {
    const dir = tempDir();
    fs.writeFileSync(`${dir}.lock`, "not a pid");
    acquireDataDirLock(dir)();
  });
});
