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

/** The page as it is now, at the desktop width and at a phone's (390 px), then back: <name>-1280.png and <name>-390.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await screenshot(page, `${name}-1280`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  if (size) await page.setViewportSize(size);
}

// ---------------------------------------------------------------------------------------
// Second factors
// ---------------------------------------------------------------------------------------

/** The SMS number every e2e account uses (libphonenumber's own example, valid in E.164). */
export const TEST_PHONE = "+1 415 555 2671";
export const TEST_PHONE_E164 = "+14155552671";

/**
 * The newest /dev/outbox message addressed to `to` (exactly) — with `contains`, the newest one
 * that contains it — read in a separate page of the same browser context so the page under
 * test keeps its state. Polls until such a message exists and differs from `notText` (a
 * message read before), for sends that land a moment after the UI says so.
 */
export async function readLatestMessage(page: Page, to: string, options: { contains?: string | RegExp; notText?: string } = {}): Promise<string> {
  const { contains, notText } = options;
  const outbox = await page.context().newPage();
  try {
    let found = "";
    await expect
      .poll(
        async () => {
          await outbox.goto("/dev/outbox");
          const messages = outbox.getByTestId("outbox-message").filter({ has: outbox.getByTestId("outbox-to").getByText(to, { exact: true }) });
          const texts = await messages.getByTestId("outbox-text").allTextContents();
          found = texts.find((text) => contains === undefined || (typeof contains === "string" ? text.includes(contains) : contains.test(text))) ?? "";
          return found !== "" && found !== notText;
        },
        { message: `a message to ${to}${contains ? ` containing ${contains}` : ""} in /dev/outbox`, timeout: 15_000, intervals: [250, 500, 1000] },
      )
      .toBe(true);
    return found;
  } finally {
    await outbox.close();
  }
}

/** The 6-digit code in an email or SMS text ("Your Tessera code is 123456."). */
export function extractCode(text: string): string {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match) throw new Error(`no 6-digit code in: ${text}`);
  return match[1]!;
}

/** The code read out by a voice message ("1. 2. 3. 4. 5. 6. Again: 1. 2. …"): both readings must agree. */
export function extractSpokenCode(text: string): string {
  const [first, second] = text.split(/Again/i);
  const digits = (part = "") => (part.match(/\d/g) ?? []).join("");
  const code = digits(first);
  if (!/^\d{6}$/.test(code)) throw new Error(`no spoken 6-digit code in: ${text}`);
  if (second !== undefined && digits(second) !== code) throw new Error(`the code is read differently the second time: ${text}`);
  return code;
}

const TOTP_STEP = 30;

/**
 * Computes TOTP codes for one enrolled secret. The server accepts a step at most once and only
 * a step after the last one accepted (replay protection), within ±1 step of its clock; so each
 * call hands out the next unused step, waiting for the clock when it has run ahead by two.
 */
export class TotpDevice {
  /** The last step handed out (enrollment uses the current one). */
  private lastStep: number;

  constructor(
    readonly secret: string,
    enrolledAtStep: number,
  ) {
    this.lastStep = enrolledAtStep;
  }

  /** The code for the next unused step (now, or the next 30 s window when now was used). */
  async next(): Promise<string> {
    const { generate } = await import("otplib");
    for (;;) {
      const now = Math.floor(Date.now() / 1000);
      const current = Math.floor(now / TOTP_STEP);
      const step = Math.max(current, this.lastStep + 1);
      // Ahead by one is within the server's drift window; two ahead is not: wait.
      if (step <= current + 1) {
        this.lastStep = step;
        return generate({ secret: this.secret, epoch: step * TOTP_STEP });
      }
      await new Promise((resolve) => setTimeout(resolve, ((current + 1) * TOTP_STEP - now) * 1000 + 250));
    }
  }

  /** A 6-digit code that is valid at no step near now. */
  async wrong(): Promise<string> {
    const { generate } = await import("otplib");
    const current = Math.floor(Date.now() / 1000 / TOTP_STEP);
    const valid = new Set(await Promise.all([-2, -1, 0, 1, 2].map((d) => generate({ secret: this.secret, epoch: (current + d) * TOTP_STEP }))));
    for (let n = 0; ; n += 1) {
      const candidate = String((123456 + n * 111111) % 1_000_000).padStart(6, "0");
      if (!valid.has(candidate)) return candidate;
    }
  }
}

/** Every wizard (and the challenge/step-up prompts) marks itself with data-ready once hydrated. */
export async function waitForReady(page: Pick<Page, "locator">): Promise<void> {
  await page.locator("[data-ready]").first().waitFor();
}

/**
 * Enrolls an authenticator app on /settings/security/add/totp (opened unless the page is already
 * there): reads the secret on screen,
 * enters the current code. Stops on whatever comes next (the recovery codes for a first
 * factor, the security page otherwise). With `screenshots`, saves each step under that prefix.
 */
export async function enrollTotp(page: Page, options: { label?: string; screenshots?: string } = {}): Promise<TotpDevice> {
  if (new URL(page.url(), "http://x").pathname !== "/settings/security/add/totp") await page.goto("/settings/security/add/totp");
  await expect(page.getByRole("heading", { name: "Set up an authenticator app" })).toBeVisible();
  await waitForReady(page);
  const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s+/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  if (options.screenshots) await screenshot(page, `${options.screenshots}-1-scan`);

  const { generate } = await import("otplib");
  const now = Math.floor(Date.now() / 1000);
  const current = Math.floor(now / TOTP_STEP);
  // The previous step is within the server's ±1 drift window. Using it (when the current step
  // has at least 10 s to run, so the server is still in it) leaves the current and next steps
  // free: two more sign-ins or confirmations without waiting for the clock.
  const step = (current + 1) * TOTP_STEP - now >= 10 ? current - 1 : current;
  await page.getByLabel("6-digit code from the app").fill(await generate({ secret, epoch: step * TOTP_STEP }));
  if (options.label) await page.getByLabel("Name (optional)").fill(options.label);
  if (options.screenshots) await screenshot(page, `${options.screenshots}-2-code-entered`);
  await page.getByRole("button", { name: "Verify and turn on" }).click();
  return new TotpDevice(secret, step);
}

/**
 * On the recovery-codes panel of a first enrollment: checks the codes, proves "Finish" stays
 * disabled until the codes were saved (here: the checkbox), finishes, and returns the codes.
 */
export async function finishRecoveryCodes(page: Page, options: { screenshot?: string; via?: "checkbox" | "copy" } = {}): Promise<string[]> {
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeVisible();
  const list = page.getByTestId("recovery-codes").locator("li");
  await expect(list).toHaveCount(10);
  const codes = (await list.allTextContents()).map((code) => code.trim());
  for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
  expect(new Set(codes).size).toBe(10);

  const finish = page.getByRole("button", { name: "Finish" });
  await expect(finish).toBeDisabled();
  if (options.screenshot) await screenshot(page, options.screenshot);
  if (options.via === "copy") {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("button", { name: "Copy", exact: true }).click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  } else {
    await page.getByLabel("I have saved these codes somewhere safe").check();
  }
  await expect(finish).toBeEnabled();
  await finish.click();
  await page.waitForURL(/\/settings\/security\?added=/);
  return codes;
}

/** Email + password for an account with a second factor: waits for the hydrated challenge. */
export async function signInToChallenge(page: Page, email: string, password: string): Promise<void> {
  await submitSignIn(page, email, password);
  await page.waitForURL("**/sign-in/challenge**");
  await waitForReady(page);
}

/** Enters a code on the challenge (or step-up) prompt and submits it. */
export async function submitChallengeCode(page: Page, code: string, options: { remember?: boolean; label?: string } = {}): Promise<void> {
  if (options.remember) await page.getByLabel(/Remember this device/).check();
  await page.getByLabel(options.label ?? "6-digit code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
}

/** Attaches Chromium's virtual security key (CTAP2, USB, resident keys, user verification) to the page. */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "usb",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

/** No serious or critical WCAG 2.1 AA violation (axe) on the page as it is now. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const { default: AxeBuilder } = await import("@axe-core/playwright");
  // Colours are judged at rest: a button still fading between two shades (hover, focus,
  // loading) measured mid-transition reads as a contrast failure that no one ever sees.
  await page.addStyleTag({ content: "*, *::before, *::after { transition: none !important; animation: none !important; }" });
  // After a client-side navigation the new page's <title> streams in a moment later: scan the page, not the gap.
  await expect(page).toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.passes.length, `${label}: axe ran no checks`).toBeGreaterThan(0);
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const minor = results.violations.filter((v) => !blocking.includes(v));
  if (minor.length) console.log(`[a11y] ${label}: non-blocking: ${minor.map((v) => `${v.impact} ${v.id}`).join(", ")}`);
  const report = blocking
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")} — ${n.failureSummary?.replace(/\s+/g, " ")}`).join("\n")}`)
    .join("\n");
  expect(blocking, `${label}: serious/critical axe violations:\n${report}`).toEqual([]);
}

/** Invites `email` as a member from Team → Invitations; returns the link's path, read from the outbox. */
export async function inviteMember(page: Page, email: string): Promise<string> {
  await page.goto("/team/invitations");
  await waitForForm(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Phone number").fill(TEST_PHONE);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${email}.`, { exact: false })).toBeVisible();
  const mail = await readLatestMessage(page, email, { contains: "/invite/" });
  const link = /https?:\/\/\S+\/invite\/[\w-]+/.exec(mail)?.[0];
  if (!link) throw new Error(`no invitation link in: ${mail}`);
  return new URL(link).pathname;
}

/** Opens an invitation link signed out, creates the invited account from it, accepts, and waits for the dashboard. */
export async function acceptAsNewAccount(page: Page, invitePath: string, account: Account): Promise<void> {
  await page.goto(invitePath);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL("**/sign-up?**");
  await waitForForm(page);
  await page.getByLabel("Name", { exact: true }).fill(account.name);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`**${invitePath}`);
  await waitForForm(page);
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await page.waitForURL("**/dashboard");
}

/**
 * An owner (signed up, with an authenticator app) and a member who joined from the owner's
 * invitation and set up an app too; ends signed out.
 */
export async function ownerAndMember(page: Page, names = { owner: "Olivia Owner", member: "Milo Member" }) {
  const owner = newAccount(names.owner);
  await signUp(page, owner);
  const ownerTotp = await enrollTotp(page);
  await finishRecoveryCodes(page);
  const member = newAccount(names.member);
  const path = await inviteMember(page, member.email);
  await signOut(page);
  await acceptAsNewAccount(page, path, member);
  await enrollTotp(page);
  await finishRecoveryCodes(page);
  await signOut(page);
  return { owner, ownerTotp, member };
}
