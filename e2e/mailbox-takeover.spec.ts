import { expect, test, type Browser, type Page } from "@playwright/test";
import {
  expectAccessible,
  extractCode,
  finishRecoveryCodes,
  newAccount,
  readLatestMessage,
  screenshot,
  signInToChallenge,
  signOut,
  signUp,
  submitChallengeCode,
  waitForForm,
  waitForReady,
  type Account,
} from "./helpers";

const SUSPENDED = "Because your password was just reset by email, a code by email can't be your second factor this time.";

/** A person whose only second factor is the email code; returns their recovery codes. */
async function emailOnlyAccount(page: Page, name: string): Promise<{ account: Account; codes: string[] }> {
  const account = newAccount(name);
  await signUp(page, account);
  await page.goto("/settings/security/add/email");
  await waitForReady(page);
  // Told before turning it on what using only email means for a password reset.
  await expect(page.getByTestId("email-only-note")).toHaveText(
    "If you use only email, resetting your password by email will need a recovery code at the next sign-in — add an authenticator app or a security key too.",
  );
  await screenshot(page, "mailbox-1-email-wizard-only-factor");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByLabel("6-digit code", { exact: true })).toBeVisible();
  const mail = await readLatestMessage(page, account.email, { contains: "You're adding this email address" });
  await page.getByLabel("6-digit code", { exact: true }).fill(extractCode(mail));
  await page.getByRole("button", { name: "Verify and turn on" }).click();
  const codes = await finishRecoveryCodes(page);
  await signOut(page);
  return { account, codes };
}

/** "Forgot password" from a browser that holds only the mailbox: asks for the link, opens it, sets `password`. */
async function resetThroughMailbox(page: Page, email: string, password: string, shot?: string) {
  await page.goto("/forgot-password");
  await waitForForm(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Email me a reset link" }).click();
  await expect(page.getByText(/If an account exists for that email/)).toBeVisible();
  const mail = await readLatestMessage(page, email, { contains: "/reset-password?token=" });
  const link = /https?:\/\/[^\s]+\/reset-password\?token=[^\s]+/.exec(mail)?.[0];
  expect(link, mail).toBeTruthy();
  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await waitForForm(page);
  // The page says what the next sign-in will ask.
  await expect(page.getByTestId("next-sign-in")).toContainText("you'll need a recovery code — not an email code");
  if (shot) {
    await expectAccessible(page, "/reset-password (email factor)");
    await screenshot(page, shot);
  }
  await page.getByLabel("New password").fill(password);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText(/Your password was changed/)).toBeVisible();
}

/** The sign-in codes the outbox holds for `email` (the page /dev/outbox lists them). */
async function signInCodesTo(page: Page, email: string): Promise<number> {
  const outbox = await page.context().newPage();
  try {
    await outbox.goto("/dev/outbox");
    const messages = outbox.getByTestId("outbox-message").filter({ has: outbox.getByTestId("outbox-to").getByText(email, { exact: true }) });
    const texts = await messages.getByTestId("outbox-text").allTextContents();
    return texts.filter((text) => text.includes("is signing in to Tessera")).length;
  } finally {
    await outbox.close();
  }
}

async function attackerPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

test("an attacker who reads only the mailbox resets the password and signs in: the challenge takes no email code, and there is no access", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const { account } = await emailOnlyAccount(page, "Vera Victim");

  const attacker = await attackerPage(browser);
  const stolenPassword = "the attacker chose this one";
  await resetThroughMailbox(attacker, account.email, stolenPassword, "mailbox-2-reset-page");
  const codesBefore = await signInCodesTo(attacker, account.email);

  await signInToChallenge(attacker, account.email, stolenPassword);
  await expect(attacker.getByTestId("email-suspended")).toContainText(SUSPENDED);
  // No emailed code is offered or sent; only a recovery code can answer.
  await expect(attacker.locator('[data-mode="recovery_code"]')).toBeVisible();
  await expect(attacker.locator('[data-mode="email"]')).toHaveCount(0);
  await expect(attacker.getByRole("button", { name: /email/i })).toHaveCount(0);
  await expectAccessible(attacker, "/sign-in/challenge (email suspended)");
  await screenshot(attacker, "mailbox-3-challenge-suspended");
  await attacker.setViewportSize({ width: 390, height: 844 });
  await screenshot(attacker, "mailbox-3-challenge-suspended-390");
  expect(await signInCodesTo(attacker, account.email)).toBe(codesBefore);

  // Guessing does not help, and the dashboard stays closed.
  await submitChallengeCode(attacker, "aaaa-bbbb-cccc", { label: "Recovery code" });
  await expect(attacker.getByRole("alert").filter({ hasText: "4 tries left." })).toBeVisible();
  await attacker.goto("/dashboard");
  await attacker.waitForURL("**/sign-in**");
  expect(await signInCodesTo(attacker, account.email)).toBe(codesBefore);
});

test("the owner who reset their password signs in with a recovery code; after that the email code works again", async ({ page }) => {
  test.setTimeout(120_000);
  const { account, codes } = await emailOnlyAccount(page, "Olive Owner");
  const newPassword = "the owner's new passphrase";
  await resetThroughMailbox(page, account.email, newPassword);

  await signInToChallenge(page, account.email, newPassword);
  await expect(page.getByTestId("email-suspended")).toBeVisible();
  await submitChallengeCode(page, codes[0]!, { label: "Recovery code" });
  await page.waitForURL("**/settings/security?recovery_codes_left=9");

  await signOut(page);
  await signInToChallenge(page, account.email, newPassword);
  await expect(page.getByTestId("email-suspended")).toHaveCount(0);
  await expect(page.locator('[data-mode="email"]')).toBeVisible();
  const mail = await readLatestMessage(page, account.email, { contains: "is signing in to Tessera" });
  await submitChallengeCode(page, extractCode(mail));
  await page.waitForURL("**/dashboard");
});

test("a dead unblock link says so and changes nothing", async ({ page }) => {
  await page.goto("/unblock-sign-in?token=not-a-real-token");
  await expect(page.getByRole("heading", { name: "Unblock signing in" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "This link has expired or was already used." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Unblock signing in" })).toHaveCount(0);
  await expectAccessible(page, "/unblock-sign-in (dead link)");
});
