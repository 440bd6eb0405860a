import { expect, test, type BrowserContext } from "@playwright/test";
import {
  enrollTotp,
  expectAccessible,
  finishRecoveryCodes,
  newAccount,
  signInToChallenge,
  signOut,
  signUp,
  submitSignUp,
  waitForForm,
  waitForReady,
} from "./helpers";

test.describe("signed out", () => {
  test("landing page", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();
    await expectAccessible(page, "/");
  });

  test("sign-in", async ({ page }) => {
    await page.goto("/sign-in");
    await waitForForm(page);
    await expectAccessible(page, "/sign-in");
  });

  test("sign-up", async ({ page }) => {
    await page.goto("/sign-up");
    await waitForForm(page);
    await expectAccessible(page, "/sign-up");
  });

  test("sign-up with errors shown", async ({ page }) => {
    await submitSignUp(page, { name: "A11y Person", email: "not-an-email", password: "short" });
    await expect(page.getByText("Enter a valid email address, like name@example.com.")).toBeVisible();
    await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
    await expectAccessible(page, "/sign-up (errors)");
  });

  test("dev outbox", async ({ page }) => {
    await page.goto("/dev/outbox");
    await expect(page.getByRole("heading", { name: "Outbox" })).toBeVisible();
    await expectAccessible(page, "/dev/outbox");
  });
});

test.describe("signed in", () => {
  test.describe.configure({ mode: "serial" });
  let storageState: Awaited<ReturnType<BrowserContext["storageState"]>>;

  test.beforeAll(async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signUp(page, newAccount("Axe Tester"));
    storageState = await context.storageState();
    await context.close();
  });

  test("dashboard", async ({ browser }) => {
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    await page.goto("/dashboard");
    await expect(page.getByRole("heading", { name: "Welcome, Axe Tester" })).toBeVisible();
    await expectAccessible(page, "/dashboard");
    // And with the account menu open.
    await page.locator("summary").filter({ hasText: "Open account menu" }).click();
    await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
    await expectAccessible(page, "/dashboard (menu open)");
    await context.close();
  });

  test("security settings", async ({ browser }) => {
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    await page.goto("/settings/security");
    await expect(page.getByRole("heading", { name: "Security", exact: true })).toBeVisible();
    await expectAccessible(page, "/settings/security");
    await context.close();
  });

  test("team pages: members, invitations, security, SMS credits, SMS & voice, audit log (and the team switcher open)", async ({ browser }) => {
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    for (const [path, heading] of [
      ["/team/members", "Members"],
      ["/team/invitations", "Pending invitations"],
      ["/team/security", "Two-factor policy"],
      ["/team/credits", "Ledger"],
      ["/team/sms", "SMS & voice"],
      ["/team/audit", "Audit log"],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: heading, exact: true }).first()).toBeVisible();
      await expectAccessible(page, path);
    }
    await page.getByTestId("team-switcher").click();
    await expect(page.getByText("Your teams")).toBeVisible();
    await expectAccessible(page, "/team/audit (team switcher open)");
    await context.close();
  });
});

test.describe("second factors", () => {
  test("TOTP wizard, recovery codes, security page with a factor, confirm page, sign-in challenge", async ({ page }) => {
    const account = newAccount("Axe Factor");
    await signUp(page, account);

    await page.goto("/settings/security/add/totp");
    await waitForReady(page);
    await expectAccessible(page, "/settings/security/add/totp");
    await enrollTotp(page);
    await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeVisible();
    await expectAccessible(page, "/settings/security/add/totp (recovery codes)");
    await finishRecoveryCodes(page);

    await expect(page.getByTestId("factor")).toHaveCount(1);
    await expectAccessible(page, "/settings/security (with a factor)");
    // With the step-up error shown.
    await page.getByRole("button", { name: "Turn off two-factor authentication" }).click();
    await expect(page.getByRole("link", { name: "Confirm it's you" })).toBeVisible();
    await expectAccessible(page, "/settings/security (step-up error)");

    // Adding a second factor asks for the first one again.
    await page.goto("/settings/security/add/email");
    await page.waitForURL("**/settings/security/confirm?next=**");
    await waitForReady(page);
    await expect(page.getByRole("heading", { name: "Enter the code from your authenticator app" })).toBeVisible();
    await expectAccessible(page, "/settings/security/confirm");

    await signOut(page);
    await signInToChallenge(page, account.email, account.password);
    await expect(page.getByRole("heading", { name: "Enter the code from your authenticator app" })).toBeVisible();
    await expectAccessible(page, "/sign-in/challenge");
    await page.getByText("Use another method").click();
    await expect(page.getByRole("button", { name: "Use a recovery code" })).toBeVisible();
    await expectAccessible(page, "/sign-in/challenge (other methods open)");
    await page.getByRole("button", { name: "Use a recovery code" }).click();
    await expect(page.getByLabel("Recovery code", { exact: true })).toBeVisible();
    await expectAccessible(page, "/sign-in/challenge (recovery code)");
    // A wrong code: the error state.
    await page.getByLabel("Recovery code", { exact: true }).fill("0000-0000-0000");
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    await expect(page.getByText(/tries left\./)).toBeVisible();
    await expectAccessible(page, "/sign-in/challenge (error)");
  });

  test("email, SMS and security-key wizards", async ({ page }) => {
    await signUp(page, newAccount("Axe Wizard"));
    for (const kind of ["email", "sms", "webauthn"]) {
      await page.goto(`/settings/security/add/${kind}`);
      await waitForReady(page);
      await expectAccessible(page, `/settings/security/add/${kind}`);
    }
  });
});

test("Team → Developers: without a second factor, the form, a name error and the step-up error (developers.spec scans a new key and the revoke dialog)", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newAccount("Axe Developer"));
  await page.goto("/team/developers");
  await expect(page.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();
  await expectAccessible(page, "/team/developers (no second factor)");

  await enrollTotp(page);
  await finishRecoveryCodes(page);
  await page.goto("/team/developers");
  await waitForForm(page);
  await expectAccessible(page, "/team/developers");
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, "/team/developers (name error)");
  await page.getByLabel("Name", { exact: true }).fill("Production backend");
  await page.getByRole("button", { name: "Create API key" }).click();
  await expect(page.getByRole("link", { name: "Confirm it's you" })).toBeVisible();
  await expectAccessible(page, "/team/developers (step-up error)");
});

test("API docs: /docs/api signed out, and with a Try it error shown", async ({ page }) => {
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { name: "Verify API", level: 1 })).toBeVisible();
  await waitForForm(page);
  await expectAccessible(page, "/docs/api");
  await page.getByLabel("API key").fill(`tsk_live_${"x".repeat(32)}`);
  await page.getByLabel("Phone number").fill("+14155552671");
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.locator("#try-it").getByRole("alert")).toContainText("401 unauthorized");
  await expectAccessible(page, "/docs/api (Try it error)");
});
