import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { developmentKeyPath, resolveMasterSecret } from "./secret";

let root: string;

/** A machine: a home config folder and a data folder, no TESSERA_SECRET, `next start` on localhost unless told. */
function machine(name: string, env: Record<string, string> = {}) {
  vi.stubEnv("TESSERA_SECRET", "");
  vi.stubEnv("XDG_CONFIG_HOME", path.join(root, name, "config"));
  vi.stubEnv("TESSERA_DATA_DIR", path.join(root, name, "data"));
  vi.stubEnv("NODE_ENV", "production");
  vi.stubEnv("NEXTAUTH_URL", "");
  vi.stubEnv("DATABASE_URL", "");
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
}

/** Every file under `dir`, with its content. */
function filesUnder(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(
    fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [path.relative(dir, file), fs.readFileSync(file, "utf8")];
    }),
  );
}

const quiet = () => undefined;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-secret-"));
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("the generated development key", () => {
  it("is not in the data folder: a copy of that folder holds nothing that opens it", () => {
    machine("laptop");
    const key = resolveMasterSecret(quiet).toString("utf8");
    const data = filesUnder(path.join(root, "laptop", "data"));
    for (const content of Object.values(data)) expect(content).not.toContain(key);
    expect(Object.keys(data)).toEqual(["secret.id"]);

    const file = developmentKeyPath();
    expect(file.startsWith(path.join(root, "laptop", "config", "tessera", "keys"))).toBe(true);
    expect(fs.readFileSync(file, "utf8")).toBe(key);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // The copied folder on another machine: refused with the reason, never opened with a new key.
    fs.cpSync(path.join(root, "laptop", "data"), path.join(root, "thief", "data"), { recursive: true });
    machine("thief");
    expect(() => resolveMasterSecret(quiet)).toThrow(/was created with a development key that is no longer at/);
  });

  it("is one key per data folder, the same at every start", () => {
    machine("laptop");
    const first = resolveMasterSecret(quiet);
    expect(resolveMasterSecret(quiet)).toEqual(first);
    vi.stubEnv("TESSERA_DATA_DIR", path.join(root, "laptop", "data-e2e"));
    expect(resolveMasterSecret(quiet)).not.toEqual(first);
  });

  it("a key that earlier versions left in the data folder keeps working where it is, with a warning", () => {
    machine("old-install");
    const data = path.join(root, "old-install", "data");
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, "secret.key"), "an-old-development-key-of-43-characters-xx\n");
    const warnings: string[] = [];
    expect(resolveMasterSecret((message) => warnings.push(message)).toString("utf8")).toBe("an-old-development-key-of-43-characters-xx");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`mv ${path.join(data, "secret.key")} ${developmentKeyPath()}`);
    expect(fs.existsSync(developmentKeyPath())).toBe(false);

    // Moved as the warning says: the same key, no warning.
    fs.mkdirSync(path.dirname(developmentKeyPath()), { recursive: true });
    fs.renameSync(path.join(data, "secret.key"), developmentKeyPath());
    const after: string[] = [];
    expect(resolveMasterSecret((message) => after.push(message)).toString("utf8")).toBe("an-old-development-key-of-43-characters-xx");
    expect(after).toEqual([]);
  });

  it("a key that does not belong to the data folder is refused", () => {
    machine("laptop");
    resolveMasterSecret(quiet);
    fs.writeFileSync(developmentKeyPath(), "some-other-key-that-cannot-open-this-data");
    expect(() => resolveMasterSecret(quiet)).toThrow(/is not the one the data folder .* was created with/);
  });
});

describe("which servers may generate a key", () => {
  it("`npm start` on a fresh machine and the e2e suite (next start on http://localhost) do", () => {
    machine("fresh");
    expect(resolveMasterSecret(quiet)).toHaveLength(43);
    for (const url of ["http://localhost:3204", "http://127.0.0.1:3000", "http://[::1]:3000", "https://tessera.localhost"]) {
      machine(url.replace(/\W/g, "_"), { NEXTAUTH_URL: url });
      expect(() => resolveMasterSecret(quiet), url).not.toThrow();
    }
    machine("lan-dev", { NODE_ENV: "development", NEXTAUTH_URL: "http://192.168.1.20:3000" });
    expect(() => resolveMasterSecret(quiet)).not.toThrow();
  });

  it("a production server reached by others refuses to start without TESSERA_SECRET, and writes nothing", () => {
    for (const [name, env] of [
      ["https", { NEXTAUTH_URL: "https://tessera.example.com" }],
      ["http-public", { NEXTAUTH_URL: "http://tessera.example.com" }],
      ["https-dev", { NODE_ENV: "development", NEXTAUTH_URL: "https://tessera.example.com" }],
    ] as const) {
      machine(name, env);
      expect(() => resolveMasterSecret(quiet), name).toThrow(/TESSERA_SECRET is not set\. This server is served at https?:\/\/tessera\.example\.com/);
      expect(filesUnder(path.join(root, name)), name).toEqual({});
    }
  });

  it("a production server on PostgreSQL refuses to start without TESSERA_SECRET, even on localhost, and says how to make one", () => {
    for (const url of ["postgres://tessera@db.internal:5432/tessera", "postgresql://tessera@127.0.0.1/tessera"]) {
      machine("container", { DATABASE_URL: url, NEXTAUTH_URL: "http://localhost:3000" });
      expect(() => resolveMasterSecret(quiet), url).toThrow(/TESSERA_SECRET is not set, and DATABASE_URL names a PostgreSQL server\..*`openssl rand -base64 48`/);
      expect(filesUnder(path.join(root, "container"))).toEqual({});
    }
    // Development on a shared PostgreSQL keeps its generated key; the database's key check tells instances apart (key-check.ts).
    machine("dev-on-postgres", { NODE_ENV: "development", DATABASE_URL: "postgres://tessera@127.0.0.1/tessera" });
    expect(() => resolveMasterSecret(quiet)).not.toThrow();
  });

  it("TESSERA_SECRET is used as given (32 characters at least), with no file anywhere", () => {
    machine("prod", { NEXTAUTH_URL: "https://tessera.example.com", TESSERA_SECRET: "x".repeat(48) });
    expect(resolveMasterSecret(quiet).toString("utf8")).toBe("x".repeat(48));
    expect(filesUnder(path.join(root, "prod"))).toEqual({});
    vi.stubEnv("TESSERA_SECRET", "too-short");
    expect(() => resolveMasterSecret(quiet)).toThrow("TESSERA_SECRET must be at least 32 characters long.");
  });
});
