import { expect, test, type Page } from "@playwright/test";
import { enrollTotp, expectAccessible, finishRecoveryCodes, newAccount, readLatestMessage, screenshot, signUp, submitChallengeCode, waitForForm, waitForReady } from "./helpers";

const METHODS = ["Authenticator app", "Security key or passkey", "Email code", "Text message (SMS)"] as const;

async function openPolicy(page: Page) {
  await page.goto("/team/security");
  await expect(page.getByRole("heading", { name: "Two-factor policy" })).toBeVisible();
  await waitForForm(page);
}

test("an owner sets the team's 2FA policy on Team → Security after confirming it's them, and it stays set", async ({ page }) => {
  test.setTimeout(180_000); // four axe scans, an enrollment, a step-up and a dozen round trips
  const owner = newAccount("Olga Owner");
  await signUp(page, owner);
  // New teams allow SMS as a backup only: nobody is asked for a phone number yet.
  await expect(page.getByTestId("phone-notice")).toHaveCount(0);

  await openPolicy(page);
  const preview = page.getByTestId("policy-preview");
  await expect(preview).toContainText("1 member has no second factor that this policy accepts");
  await expect(preview).toContainText("Olga Owner (you)");
  // New teams suggest the authenticator app: email alone shares its channel with password resets.
  await expect(page.getByLabel("Default method")).toHaveValue("totp");
  await expectAccessible(page, "/team/security");
  await screenshot(page, "team-policy-1-default");

  // Without a second factor of their own, an owner changes nothing of the team's: the page says where to set one up.
  await page.getByLabel("Remember this device for").selectOption({ label: "1 week" });
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByText("Changes to a team need two-factor authentication on your own account.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Set up two-factor authentication" })).toHaveAttribute("href", "/settings/security");
  await screenshot(page, "team-policy-2-own-factor");

  const totp = await enrollTotp(page);
  await finishRecoveryCodes(page);
  await openPolicy(page);
  await expect(preview).toContainText("Every member has a second factor that this policy accepts.");

  // Enrolling is no confirmation: the save asks for the factor in place, then goes through with
  // the edits as they were. No allowed method: refused next to the methods, the form keeps what was chosen.
  for (const method of METHODS) await page.getByLabel(method, { exact: true }).uncheck();
  await page.getByRole("button", { name: "Save policy" }).click();
  const stepUp = page.getByRole("dialog", { name: "Confirm it's you" });
  await expect(stepUp).toBeVisible();
  await expect(stepUp).toContainText("Changing the team's policy needs your second factor again.");
  await waitForReady(stepUp);
  await expectAccessible(page, "/team/security (confirm it's you)");
  await screenshot(page, "team-policy-3-step-up");
  await submitChallengeCode(page, await totp.next());
  await expect(stepUp).toBeHidden();
  await expect(page.getByText("Choose at least one allowed method.")).toBeVisible();
  await expect(page.getByText("The policy was not saved. Check the fields marked above.")).toBeVisible();
  for (const method of METHODS) await expect(page.getByLabel(method, { exact: true })).not.toBeChecked();
  await expect(page.getByRole("group", { name: "Allowed methods" })).toHaveAccessibleDescription("Choose at least one allowed method.");
  await expectAccessible(page, "/team/security (error)");
  await screenshot(page, "team-policy-4-error");

  // Require 2FA, 3 days of grace, only the app and security keys, never remember devices.
  // The saved default (the app) not allowed: the form proposes the strongest method left and says so.
  await page.getByLabel("Security key or passkey", { exact: true }).check();
  await expect(page.getByLabel("Default method")).toHaveValue("webauthn");
  await expect(page.getByTestId("default-changed")).toHaveText("Authenticator app isn't allowed, so Security key or passkey is selected.");
  await page.getByLabel("Authenticator app", { exact: true }).check();
  await expect(page.getByTestId("default-changed")).toHaveCount(0);
  await expect(page.getByText("Choose at least one allowed method.")).toBeHidden();
  await page.getByRole("switch", { name: "Require two-factor authentication for all members" }).check();
  await page.getByRole("radio", { name: "3 days" }).check();
  await page.getByLabel("Remember this device for").selectOption({ label: "Never — ask at every sign-in" });
  await expect(page.getByTestId("remember-note")).toHaveText("Saving forgets every device members have remembered.");
  await expect(page.getByLabel("Default method")).toHaveValue("totp");
  await expect(preview).toContainText("Every member has a second factor that this policy accepts.");
  // Confirmed a minute ago: the next save within 10 minutes asks nothing more.
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByText("Policy saved.")).toBeVisible();
  await expect(stepUp).toBeHidden();
  await screenshot(page, "team-policy-5-saved");

  await page.reload();
  await waitForForm(page);
  await expect(page.getByRole("switch", { name: "Require two-factor authentication for all members" })).toBeChecked();
  await expect(page.getByRole("radio", { name: "3 days" })).toBeChecked();
  await expect(page.getByLabel("Authenticator app", { exact: true })).toBeChecked();
  await expect(page.getByLabel("Security key or passkey", { exact: true })).toBeChecked();
  await expect(page.getByLabel("Email code", { exact: true })).not.toBeChecked();
  await expect(page.getByLabel("Text message (SMS)", { exact: true })).not.toBeChecked();
  await expect(page.getByLabel("Remember this device for")).toHaveValue("0");
  await expect(page.getByLabel("Default method")).toHaveValue("totp");
  await expect(page.getByTestId("require-status")).toContainText("Required since");
  // SMS is not allowed any more: no phone notice; the owner's app counts, so no grace period for them.
  await expect(page.getByTestId("phone-notice")).toHaveCount(0);
  await expect(page.getByTestId("grace-banner")).toHaveCount(0);

  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${owner.name}` })).toBeVisible();
  await expect(page.getByTestId("phone-notice")).toHaveCount(0);
});

test("requiring 2FA with no grace period asks first; the reminder reaches the members without a factor", async ({ page }) => {
  test.setTimeout(120_000);
  const owner = newAccount("Rita Reminder");
  await signUp(page, owner);
  await openPolicy(page);

  await page.getByRole("button", { name: "Email them a reminder" }).click();
  await expect(page.getByText("Sent to 1 member.")).toBeVisible();
  const email = await readLatestMessage(page, owner.email, { contains: "asks you to set up two-factor authentication" });
  expect(email).toContain("/setup-2fa");

  const requireSwitch = page.getByRole("switch", { name: "Require two-factor authentication for all members" });
  await requireSwitch.check();
  await page.getByRole("button", { name: "Save policy" }).click();
  const dialog = page.getByRole("dialog", { name: "1 member will be blocked until they set up 2FA" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("That includes you");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectAccessible(page, "/team/security (confirm)");
  await screenshot(page, "team-policy-6-confirm");

  // Escape cancels: nothing was saved.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.reload();
  await waitForForm(page);
  await expect(requireSwitch).not.toBeChecked();

  // Confirmed, but the owner has no second factor: nothing is saved, and the page says what to do first.
  await requireSwitch.check();
  await page.getByRole("button", { name: "Save policy" }).click();
  await dialog.getByRole("button", { name: "Require 2FA now" }).click();
  await expect(page.getByText("Changes to a team need two-factor authentication on your own account.")).toBeVisible();
  await page.reload();
  await waitForForm(page);
  await expect(requireSwitch).not.toBeChecked();
});
