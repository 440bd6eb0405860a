import { expect, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type Account = { name: string; email: string; password: string };

let counter = 0;

/** An address no other test (or earlier run against a reused server) has used. */
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
  return `${prefix}-${stamp}@example.com`;
}

/** A fresh account's details; nothing is created until `signUp`. */
export function newAccount(name = "Ada Lovelace"): Account {
  return { name, email: uniqueEmail(), password: "correct horse battery staple" };
}

/** Forms set data-ready once React has hydrated; input typed or clicked before that is lost. */
export async function waitForForm(page: Page): Promise<void> {
  await page.locator("form[data-ready]").first().waitFor();
}

/** Fills the sign-up form and submits it; does not wait for the outcome. */
export async function submitSignUp(page: Page, { name, email, password }: Account): Promise<void> {
  await page.goto("/sign-up");
  await waitForForm(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Creates the account and waits for the dashboard that greets it. */
export async function signUp(page: Page, account: Account): Promise<void> {
  await submitSignUp(page, account);
  await page.waitForURL("**/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${account.name}` })).toBeVisible();
}

/**
 * Fills the sign-in form on the current page when it already is /sign-in (keeping its
 * callbackUrl), otherwise opens /sign-in. Submits; does not wait for the outcome.
 */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  if (new URL(page.url(), "http://x").pathname !== "/sign-in") await page.goto("/sign-in");
  await waitForForm(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in and waits until the browser has left /sign-in (for /dashboard or the callbackUrl). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await submitSignIn(page, email, password);
  await page.waitForURL((url) => url.pathname !== "/sign-in");
}

/** Signs out through the account menu and waits for /sign-in. */
export async function signOut(page: Page): Promise<void> {
  const menu = page.locator("details").filter({ has: page.getByText("Open account menu") });
  await menu.locator("summary").click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.waitForURL("**/sign-in**");
}

export const SCREENSHOT_DIR = fileURLToPath(new URL("./screenshots/", import.meta.url));

/** Saves a full-page screenshot to e2e/screenshots/<name>.png (the folder is gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
