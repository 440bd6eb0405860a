import { expect, test, type Page } from "@playwright/test";
import {
  addVirtualAuthenticator,
  enrollTotp,
  extractCode,
  extractSpokenCode,
  finishRecoveryCodes,
  newAccount,
  readLatestMessage,
  screenshot,
  signInToChallenge,
  signOut,
  signUp,
  submitChallengeCode,
  submitSignIn,
  TEST_PHONE,
  TEST_PHONE_E164,
  waitForForm,
  waitForReady,
  type Account,
  type TotpDevice,
} from "./helpers";

const STEP_UP_NEEDED = "For your security, confirm it's you with your second factor first.";
const EXPIRED = "Your sign-in has expired. Enter your email and password again.";

function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/** The prompt's mode (totp, email, sms, webauthn, recovery_code) and its heading. */
async function expectPrompt(page: Page, mode: string, heading: string) {
  await expect(page.locator(`[data-mode="${mode}"]`)).toBeVisible();
  await expect(page.getByRole("heading", { name: heading })).toBeVisible();
}

async function expectDashboard(page: Page, account: Account) {
  await page.waitForURL("**/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${account.name}` })).toBeVisible();
}

/** Sign up, enroll an authenticator app as the first factor and finish its recovery codes. */
async function accountWithTotp(page: Page, name = "Ada Lovelace", via: "checkbox" | "copy" = "checkbox") {
  const account = newAccount(name);
  await signUp(page, account);
  const totp = await enrollTotp(page);
  const codes = await finishRecoveryCodes(page, { via });
  await expect(page.getByTestId("two-factor-status")).toHaveText("On");
  return { account, totp, codes };
}

/** Signs in with email, password and a TOTP code; optionally remembers the browser. */
async function signInWithTotp(page: Page, account: Account, totp: TotpDevice, remember = false) {
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "totp", "Enter the code from your authenticator app");
  await submitChallengeCode(page, await totp.next(), { remember });
  await expectDashboard(page, account);
}

test("authenticator app: enroll, sign out, sign in with a TOTP code", async ({ page }) => {
  const account = newAccount("Grace Hopper");
  await signUp(page, account);

  await page.goto("/settings/security");
  await expect(page.getByTestId("two-factor-status")).toHaveText("Off");
  await page.getByRole("link", { name: /Authenticator app/ }).click();
  await page.waitForURL("**/settings/security/add/totp");
  const totp = await enrollTotp(page, { label: "Pixel authenticator", screenshots: "totp-wizard" });

  // First factor: the recovery codes, and "Finish" only once they were saved.
  await expect(page.getByText("Your authenticator app is set up. Two-factor authentication is now on.")).toBeVisible();
  await finishRecoveryCodes(page, { screenshot: "totp-wizard-3-recovery-codes" });

  expect(new URL(page.url()).search).toBe("?added=totp");
  await expect(page.getByText("Authenticator app added. You'll be asked for it the next time you sign in.")).toBeVisible();
  await readLatestMessage(page, account.email, { contains: /authenticator app was added to your Tessera account/i });
  await expect(page.getByTestId("two-factor-status")).toHaveText("On");
  const factors = page.getByTestId("factor");
  await expect(factors).toHaveCount(1);
  await expect(factors.first()).toContainText("Pixel authenticator");
  await expect(factors.first()).toContainText("Default");
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("10 of 10 codes left.");
  await screenshot(page, "totp-wizard-4-security-page");

  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "totp", "Enter the code from your authenticator app");
  await expect(page.getByLabel("Remember this device for 30 days")).not.toBeChecked();
  await screenshot(page, "challenge-totp");
  await submitChallengeCode(page, await totp.next());
  await expectDashboard(page, account);
});

test("email code: enroll with a code from the outbox, sign in with the code sent on the challenge", async ({ page }) => {
  const account = newAccount("Katherine Johnson");
  await signUp(page, account);

  await page.goto("/settings/security");
  await page.getByRole("link", { name: /Email code/ }).click();
  await page.waitForURL("**/settings/security/add/email");
  await waitForReady(page);
  await expect(page.getByTestId("email-wizard").getByText(account.email)).toBeVisible();
  await screenshot(page, "email-wizard-1-send");
  await page.getByRole("button", { name: "Send code" }).click();

  await expect(page.getByLabel("6-digit code", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: /Resend code in \d+s/ })).toBeDisabled();
  const enrollMail = await readLatestMessage(page, account.email, { contains: "Your Tessera code is" });
  expect(enrollMail).toContain("You're adding this email address");
  await page.getByLabel("6-digit code", { exact: true }).fill(extractCode(enrollMail));
  await screenshot(page, "email-wizard-2-code");
  await page.getByRole("button", { name: "Verify and turn on" }).click();

  await expect(page.getByText("Email codes are on. Two-factor authentication is now on.")).toBeVisible();
  await finishRecoveryCodes(page, { screenshot: "email-wizard-3-recovery-codes" });
  await expect(page.getByTestId("two-factor-status")).toHaveText("On");
  await expect(page.getByTestId("factor")).toHaveCount(1);
  await expect(page.getByTestId("factor").first()).toContainText("Email");

  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "email", "Check your email");
  // The default method's code went out with the password step.
  await expect(page.getByText(/We sent a 6-digit code to .+\. It expires in 10 minutes\./)).toBeVisible();
  await expect(page.getByRole("button", { name: /Resend code in \d+s/ })).toBeDisabled();
  const signInMail = await readLatestMessage(page, account.email, { contains: "Your Tessera code is", notText: enrollMail });
  expect(signInMail).toContain("is signing in to Tessera");
  await screenshot(page, "challenge-email");
  await submitChallengeCode(page, extractCode(signInMail));
  await expectDashboard(page, account);
});

test("SMS: enroll, sign in with a texted code, then with a voice call after the cooldown", async ({ page }) => {
  test.setTimeout(150_000);
  const account = newAccount("Margaret Hamilton");
  await signUp(page, account);

  await page.goto("/settings/security");
  await page.getByRole("link", { name: /Text message \(SMS\)/ }).click();
  await page.waitForURL("**/settings/security/add/sms");
  await waitForReady(page);
  await page.getByLabel("Phone number").fill(TEST_PHONE);
  await screenshot(page, "sms-wizard-1-phone");
  await page.getByRole("button", { name: "Send code" }).click();

  await expect(page.getByLabel("6-digit code", { exact: true })).toBeVisible();
  const enrollSms = await readLatestMessage(page, TEST_PHONE_E164, { contains: "Your Tessera code is" });
  // Origin-bound one-time code line (WICG sms-one-time-codes).
  expect(enrollSms).toMatch(/@localhost #\d{6}/);
  await page.getByLabel("6-digit code", { exact: true }).fill(extractCode(enrollSms));
  await screenshot(page, "sms-wizard-2-code");
  await page.getByRole("button", { name: "Verify and turn on" }).click();

  await expect(page.getByText("Text-message codes are on. Two-factor authentication is now on.")).toBeVisible();
  await finishRecoveryCodes(page, { screenshot: "sms-wizard-3-recovery-codes" });
  await expect(page.getByTestId("two-factor-status")).toHaveText("On");
  const factor = page.getByTestId("factor").first();
  await expect(factor).toContainText("Text message");
  // Only the last digits of the number are shown.
  await expect(factor).not.toContainText("415 555 2671");
  await expect(factor).not.toContainText(TEST_PHONE_E164);

  // 1. The texted code.
  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "sms", "Check your phone");
  const signInSms = await readLatestMessage(page, TEST_PHONE_E164, { contains: "Your Tessera code is", notText: enrollSms });
  await expect(page.getByRole("button", { name: "Didn't get it? Call me instead" })).toBeDisabled();
  await screenshot(page, "challenge-sms");
  await submitChallengeCode(page, extractCode(signInSms));
  await expectDashboard(page, account);

  // 2. A voice call, offered once the 30 s cooldown has passed.
  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "sms", "Check your phone");
  const secondSms = await readLatestMessage(page, TEST_PHONE_E164, { contains: "Your Tessera code is", notText: signInSms });
  const callMe = page.getByRole("button", { name: "Didn't get it? Call me instead" });
  await expect(callMe).toBeDisabled();
  await expect(page.getByRole("button", { name: /Resend code in \d+s/ })).toBeDisabled();
  await expect(callMe).toBeEnabled({ timeout: 40_000 });
  await expect(page.getByRole("button", { name: "Resend code", exact: true })).toBeEnabled();
  await callMe.click();
  await expect(page.getByText(/Calling .+\. Answer to hear your code\./)).toBeVisible();
  await screenshot(page, "challenge-sms-voice");
  const voice = await readLatestMessage(page, TEST_PHONE_E164, { contains: "Again", notText: secondSms });
  expect(voice).toMatch(/(\d\. ){5}\d\./);
  await submitChallengeCode(page, extractSpokenCode(voice));
  await expectDashboard(page, account);
});

test("security key: register with a virtual authenticator, sign in with it", async ({ page }) => {
  await addVirtualAuthenticator(page);
  const account = newAccount("Radia Perlman");
  await signUp(page, account);

  await page.goto("/settings/security");
  await page.getByRole("link", { name: /Security key or passkey/ }).click();
  await page.waitForURL("**/settings/security/add/webauthn");
  await waitForReady(page);
  await page.getByLabel("Name", { exact: true }).fill("YubiKey 5C");
  await screenshot(page, "webauthn-wizard-1-name");
  await page.getByRole("button", { name: "Register security key" }).click();

  await expect(page.getByText("Your security key is registered. Two-factor authentication is now on.")).toBeVisible();
  await finishRecoveryCodes(page, { screenshot: "webauthn-wizard-2-recovery-codes" });
  await expect(page.getByTestId("two-factor-status")).toHaveText("On");
  await expect(page.getByTestId("factor")).toHaveCount(1);
  await expect(page.getByTestId("factor").first()).toContainText("YubiKey 5C");
  await readLatestMessage(page, account.email, { contains: /security key was added to your Tessera account/i });

  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "webauthn", "Use your security key");
  await screenshot(page, "challenge-webauthn");
  await page.getByRole("button", { name: "Use security key" }).click();
  await expectDashboard(page, account);

  // Step-up with the key: its options are this session's, answered in this session.
  await page.goto("/settings/security/confirm?next=/settings/security");
  await waitForReady(page);
  await expectPrompt(page, "webauthn", "Use your security key");
  await page.getByRole("button", { name: "Use security key" }).click();
  await page.waitForURL("**/settings/security");
  await expect(page.getByTestId("two-factor-status")).toHaveText("On");
});

test("recovery code: signs in once, lands on security with 9 left; the same code fails again", async ({ page }) => {
  // "Copy" alone (no checkbox) is enough to enable "Finish".
  const { account, codes } = await accountWithTotp(page, "Barbara Liskov", "copy");
  await signOut(page);

  await signInToChallenge(page, account.email, account.password);
  await page.getByText("Use another method").click();
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await expectPrompt(page, "recovery_code", "Enter a recovery code");
  await expect(page.getByText("Each recovery code works once. You have 10 left.")).toBeVisible();
  await screenshot(page, "challenge-recovery-code");
  const code = codes[3]!;
  await submitChallengeCode(page, code, { label: "Recovery code" });

  await page.waitForURL("**/settings/security?recovery_codes_left=9");
  await expect(page.getByText(/You signed in with a recovery code\. You have 9 left/)).toBeVisible();
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("9 of 10 codes left.");
  // The owner is told by email.
  await readLatestMessage(page, account.email, { contains: "A recovery code was just used to sign in" });

  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await page.getByText("Use another method").click();
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await expect(page.getByText("Each recovery code works once. You have 9 left.")).toBeVisible();
  await submitChallengeCode(page, code, { label: "Recovery code" });
  await expect(page.getByRole("alert").filter({ hasText: "4 tries left." })).toBeVisible();
  expect(pathOf(page)).toBe("/sign-in/challenge");

  // Another code still works, in another spelling (upper case, no dashes).
  await submitChallengeCode(page, codes[7]!.replace(/-/g, "").toUpperCase(), { label: "Recovery code" });
  await page.waitForURL("**/settings/security?recovery_codes_left=8");
  await expect(page.getByTestId("recovery-codes-left")).toHaveText("8 of 10 codes left.");
});

test("remember this device skips the challenge until the device is revoked", async ({ page }) => {
  test.setTimeout(120_000);
  const { account, totp } = await accountWithTotp(page, "Frances Allen");
  await signOut(page);

  await signInWithTotp(page, account, totp, true);
  await signOut(page);

  // Remembered: the password alone signs in.
  await submitSignIn(page, account.email, account.password);
  await expectDashboard(page, account);

  await page.goto("/settings/security");
  const devices = page.getByRole("list", { name: "Remembered devices" }).getByRole("listitem");
  await expect(devices).toHaveCount(1);
  await screenshot(page, "security-remembered-device");
  await page.getByRole("button", { name: "Revoke all" }).click();
  await expect(page.getByText("No remembered devices.")).toBeVisible();
  await expect(devices).toHaveCount(0);

  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "totp", "Enter the code from your authenticator app");
  await submitChallengeCode(page, await totp.next());
  await expectDashboard(page, account);
  await page.goto("/settings/security");
  await expect(page.getByText("No remembered devices.")).toBeVisible();
});

test("a remembered-device cookie copied to another browser: the owner's use rotates it, the copy is refused and signs the device out", async ({ page, browser }) => {
  test.setTimeout(150_000);
  const { account, totp } = await accountWithTotp(page, "Radia Perlman");
  await signOut(page);
  await signInWithTotp(page, account, totp, true);
  const deviceCookie = async () => (await page.context().cookies()).find((cookie) => cookie.name === "tessera_device")!;
  const copied = await deviceCookie();
  await signOut(page);

  // The owner signs in through the remembered browser: the response sets a new token.
  await submitSignIn(page, account.email, account.password);
  await expectDashboard(page, account);
  const rotated = await deviceCookie();
  expect(rotated.value).not.toBe(copied.value);
  expect(rotated.httpOnly).toBe(true);

  // The attacker's browser with the copied cookie (and the password) meets the second factor.
  const attacker = await browser.newContext();
  await attacker.addCookies([copied]);
  const attackerPage = await attacker.newPage();
  await signInToChallenge(attackerPage, account.email, account.password);
  await expectPrompt(attackerPage, "totp", "Enter the code from your authenticator app");
  await attacker.close();

  // The device is signed out: the owner is asked for the factor too, and is told why by email.
  await readLatestMessage(page, account.email, { contains: "was used twice: someone may have copied it; we signed that device out" });
  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  await expectPrompt(page, "totp", "Enter the code from your authenticator app");
});

test("turning 2FA off needs a fresh second factor, and signs out the other sessions", async ({ page, browser }) => {
  test.setTimeout(150_000);
  const { account, totp, codes } = await accountWithTotp(page, "Hedy Lamarr");
  // Another browser, signed in with a recovery code.
  const phone = await browser.newContext();
  const phonePage = await phone.newPage();
  await signInToChallenge(phonePage, account.email, account.password);
  await phonePage.getByText("Use another method").click();
  await phonePage.getByRole("button", { name: "Use a recovery code" }).click();
  await submitChallengeCode(phonePage, codes[0]!, { label: "Recovery code" });
  await phonePage.waitForURL("**/settings/security?recovery_codes_left=9");

  await signOut(page);
  await signInWithTotp(page, account, totp, true);
  await signOut(page);
  // Through the remembered device: this session never saw a second factor.
  await submitSignIn(page, account.email, account.password);
  await expectDashboard(page, account);

  await page.goto("/settings/security");
  await page.getByRole("button", { name: "Turn off two-factor authentication" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: STEP_UP_NEEDED });
  await expect(refusal).toBeVisible();
  await expect(page.getByTestId("two-factor-status")).toHaveText("On");
  await screenshot(page, "security-step-up-needed");
  await refusal.getByRole("link", { name: "Confirm it's you" }).click();

  await page.waitForURL("**/settings/security/confirm?next=**");
  expect(new URL(page.url()).searchParams.get("next")).toBe("/settings/security");
  await waitForReady(page);
  await expectPrompt(page, "totp", "Enter the code from your authenticator app");
  await expect(page.getByLabel(/Remember this device/)).toHaveCount(0);
  await screenshot(page, "confirm-totp");
  await submitChallengeCode(page, await totp.next());

  await page.waitForURL((url) => url.pathname === "/settings/security");
  await page.getByRole("button", { name: "Turn off two-factor authentication" }).click();
  await expect(page.getByTestId("two-factor-status")).toHaveText("Off");
  await expect(page.getByTestId("factor")).toHaveCount(0);
  await expect(page.getByTestId("recovery-codes-left")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Turn off two-factor authentication" })).toHaveCount(0);
  await readLatestMessage(page, account.email, { contains: "Two-factor authentication was turned off" });

  // The other browser was signed out.
  await phonePage.goto("/dashboard");
  await phonePage.waitForURL("**/sign-in**");
  await phone.close();

  await signOut(page);
  await submitSignIn(page, account.email, account.password);
  await expectDashboard(page, account);
});

test("five wrong TOTP codes end the challenge; the right code then fails too", async ({ page, context }) => {
  const { account, totp } = await accountWithTotp(page, "Adele Goldberg");
  await signOut(page);
  await signInToChallenge(page, account.email, account.password);
  // A second tab on the same challenge, to try the right code once it is dead.
  const other = await context.newPage();
  await other.goto("/sign-in/challenge");
  await waitForReady(other);
  await expectPrompt(other, "totp", "Enter the code from your authenticator app");

  const wrong = await totp.wrong();
  for (let left = 4; left >= 1; left -= 1) {
    await submitChallengeCode(page, wrong);
    await expect(page.getByRole("alert").filter({ hasText: `${left} ${left === 1 ? "try" : "tries"} left.` })).toBeVisible();
  }
  await expect(page.getByRole("alert").filter({ hasText: "That code didn't work." })).toBeVisible();
  await submitChallengeCode(page, wrong);
  await expect(page.getByRole("alert").filter({ hasText: "Too many failed attempts. Enter your email and password again to get a new chance." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in again" })).toBeVisible();
  await expect(page.getByLabel("6-digit code", { exact: true })).toHaveCount(0);
  await screenshot(page, "challenge-too-many-attempts");
  // The password is known to someone: the owner hears of the first failed second factor.
  await readLatestMessage(page, account.email, { contains: "Someone entered your Tessera password correctly" });

  const right = await totp.next();
  await submitChallengeCode(other, right);
  await expect(other.getByRole("alert").filter({ hasText: EXPIRED })).toBeVisible();
  expect(pathOf(other)).toBe("/sign-in/challenge");
  // Reloading the dead challenge sends the browser back to the password.
  await other.goto("/sign-in/challenge");
  await other.waitForURL("**/sign-in?error=expired**");
  await other.close();
  // No session came out of it.
  const probe = await context.request.get("/dashboard", { maxRedirects: 0 });
  expect(probe.status()).toBeGreaterThanOrEqual(300);
  expect(probe.status()).toBeLessThan(400);

  // Starting again from the password gives a new chance, and the unused right code works.
  await page.getByRole("button", { name: "Sign in again" }).click();
  await page.waitForURL("**/sign-in?**");
  await signInToChallenge(page, account.email, account.password);
  await submitChallengeCode(page, right);
  await expectDashboard(page, account);
});

test("forgot password: emailed link, new password, and the second factor is still asked", async ({ page }) => {
  const { account, totp } = await accountWithTotp(page, "Annie Easley");
  await signOut(page);

  await page.getByRole("link", { name: "Forgot password?" }).click();
  await page.waitForURL("**/forgot-password");
  await waitForForm(page);
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByRole("button", { name: "Email me a reset link" }).click();
  await expect(page.getByText(/If an account exists for that email/)).toBeVisible();

  const mail = await readLatestMessage(page, account.email, { contains: "/reset-password?token=" });
  // The link's origin is the server's own (NEXTAUTH_URL), whatever port this run uses.
  const link = new RegExp(`${new URL(page.url()).origin.replaceAll(".", "\\.")}/reset-password\\?token=\\S+`).exec(mail)?.[0];
  expect(link, mail).toBeTruthy();
  await page.goto(link!);
  await waitForForm(page);
  const newPassword = "a brand new passphrase 42";
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText(/Your password was changed/)).toBeVisible();
  await readLatestMessage(page, account.email, { contains: "The password of your Tessera account was just reset" });
  await page.getByRole("link", { name: "Sign in", exact: true }).click();
  await page.waitForURL("**/sign-in");

  // The old password is gone.
  await submitSignIn(page, account.email, account.password);
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");

  // The new one leads to the second factor, not to a session.
  await page.goto("/sign-in");
  await signInToChallenge(page, account.email, newPassword);
  await expectPrompt(page, "totp", "Enter the code from your authenticator app");
  await page.goto("/dashboard");
  await page.waitForURL("**/sign-in**");
  await signInToChallenge(page, account.email, newPassword);
  await submitChallengeCode(page, await totp.next());
  await expectDashboard(page, account);

  // The link is single use.
  await signOut(page);
  await page.goto(link!);
  await expect(page.getByRole("alert").filter({ hasText: "This link has expired or was already used." })).toBeVisible();
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
  await expect(page.getByLabel("New password")).toHaveCount(0);
});
