import { randomBytes } from "node:crypto";
import { signUp } from "@/lib/auth/sign-up";

export const meta = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@example.com`;
}

export const PASSWORD = "correct horse battery staple";

/** A signed-up user, with a distinct IP so sign-up limits never interfere between tests. */
export async function createUser(overrides: { name?: string; email?: string; password?: string } = {}) {
  const input = { name: overrides.name ?? "Ada Lovelace", email: overrides.email ?? uniqueEmail(), password: overrides.password ?? PASSWORD };
  const result = await signUp(input, { ...meta, ip: `198.51.100.${Math.floor(Math.random() * 250)}` });
  if (!result.ok) throw new Error(`sign-up failed: ${result.message}`);
  return { ...input, ...result };
}
