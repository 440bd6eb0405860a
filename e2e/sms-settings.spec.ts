import { expect, test, type Page } from "@playwright/test";
import { acceptAsNewAccount, enrollTotp, expectAccessible, finishRecoveryCodes, inviteMember, newAccount, screenshot, signUp, submitChallengeCode, waitForForm, waitForReady } from "./helpers";

async function openSettings(page: Page) {
  await page.goto("/team/sms");
  await expect(page.getByRole("heading", { name: "SMS & voice", level: 2 })).toBeVisible();
}

/** Scans and saves the page at 1280 px, then at 390 px, and goes back to 1280. */
async function scanBothWidths(page: Page, label: string, name: string) {
  await expectAccessible(page, label);
  await screenshot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(page, `${label} at 390 px`);
  await screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

const countries = (page: Page) => page.getByTestId("sms-country");

test("an owner edits the team's SMS countries and VoIP choices after confirming it's them; an admin sees them read-only", async ({ page, browser }) => {
  test.setTimeout(240_000); // two accounts, an enrollment, a step-up and eight axe scans
  await page.setViewportSize({ width: 1280, height: 900 });
  const owner = newAccount("Sofia Sender");
  await signUp(page, owner);
  const totp = await enrollTotp(page);
  await finishRecoveryCodes(page);

  await page.goto("/team/members");
  await page.getByRole("navigation", { name: "Team" }).getByRole("link", { name: "SMS & voice" }).click();
  await page.waitForURL("**/team/sms");
  await waitForForm(page);
  // A new team: the default list, VoIP refused for members' codes and allowed for the Verify API.
  await expect(page.getByTestId("sms-country-count")).toHaveText("21 countries on the list.");
  await expect(countries(page).filter({ hasText: "Germany" })).toContainText("+49");
  await expect(page.getByRole("switch", { name: "Members' sign-in codes to VoIP numbers" })).not.toBeChecked();
  await expect(page.getByRole("switch", { name: "Verify API codes to VoIP numbers" })).toBeChecked();
  await expect(page.getByTestId("sms-limits")).toContainText("at most 30 text messages and calls a minute and 1,000 a day per team");
  await expect(page.getByRole("button", { name: "Save changes" })).toBeDisabled();
  await scanBothWidths(page, "/team/sms", "sms-1-default");

  // Mistakes in the picker are explained next to it and change nothing.
  const picker = page.getByLabel("Add a country");
  await picker.fill("Atlantis");
  await picker.press("Enter");
  await expect(page.getByText("No country is called “Atlantis”. Choose one from the suggestions.")).toBeVisible();
  await expect(picker).toHaveAccessibleDescription("No country is called “Atlantis”. Choose one from the suggestions.");
  await picker.fill("+1");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByText(/^Several countries use \+1 /)).toBeVisible();
  await picker.fill("germany");
  await picker.press("Enter");
  await expect(page.getByText("Germany is already on the list.")).toBeVisible();
  await expect(page.getByTestId("sms-country-count")).toHaveText("21 countries on the list.");
  await scanBothWidths(page, "/team/sms (picker error)", "sms-2-error");

  // Add India by name (Enter adds, never saves), remove Germany, allow VoIP for members' codes.
  await picker.fill("India");
  await picker.press("Enter");
  await expect(picker).toHaveValue("");
  await expect(countries(page).filter({ hasText: "India" })).toContainText("+91");
  await page.getByRole("button", { name: "Remove Germany" }).click();
  await expect(countries(page).filter({ hasText: "Germany" })).toHaveCount(0);
  // The focus moved to the next country's Remove button, not to the top of the page.
  await expect(page.getByRole("button", { name: "Remove Iceland" })).toBeFocused();
  await page.getByRole("switch", { name: "Members' sign-in codes to VoIP numbers" }).check();
  await expect(page.getByTestId("sms-unsaved")).toHaveText("Not saved yet: adds India; removes Germany; members' sign-in codes to VoIP numbers allowed.");

  // Enrolling is no confirmation: saving asks for the factor in place, and the edits wait.
  await page.getByRole("button", { name: "Save changes" }).click();
  const stepUp = page.getByRole("dialog", { name: "Confirm it's you" });
  await expect(stepUp).toBeVisible();
  await expect(stepUp).toContainText("Changing where the team's messages may go needs your second factor again.");
  await waitForReady(stepUp);
  await scanBothWidths(page, "/team/sms (confirm it's you)", "sms-3-step-up");
  await submitChallengeCode(page, await totp.next());
  await expect(stepUp).toBeHidden();
  await expect(page.getByText("Saved. Added India. Removed Germany. Every owner gets an email about the change.")).toBeVisible();
  await expect(page.getByTestId("sms-unsaved")).toHaveCount(0);

  // It stays saved.
  await page.reload();
  await waitForForm(page);
  await expect(page.getByTestId("sms-country-count")).toHaveText("21 countries on the list.");
  await expect(countries(page).filter({ hasText: "India" })).toHaveCount(1);
  await expect(countries(page).filter({ hasText: "Germany" })).toHaveCount(0);
  await expect(page.getByRole("switch", { name: "Members' sign-in codes to VoIP numbers" })).toBeChecked();
  await scanBothWidths(page, "/team/sms (saved)", "sms-4-saved");

  // Within the 10 minutes, the next save asks nothing more: the Verify API's VoIP numbers refused.
  await page.getByRole("switch", { name: "Verify API codes to VoIP numbers" }).uncheck();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(/^Saved\. Every owner gets an email/)).toBeVisible();
  await expect(stepUp).toBeHidden();

  // An empty list is allowed, and what it means is said before saving. Discard puts the list back.
  const removeButtons = page.getByRole("button", { name: /^Remove / });
  for (let left = 21; left > 0; left -= 1) {
    await removeButtons.first().click();
    await expect(removeButtons).toHaveCount(left - 1);
  }
  await expect(page.getByText("No country is on the list.")).toBeVisible();
  await expect(page.getByText(/Saving it refuses every text message and call of this team/)).toBeVisible();
  await screenshot(page, "sms-5-empty");
  await page.getByRole("button", { name: "Discard changes" }).click();
  await expect(page.getByTestId("sms-country-count")).toHaveText("21 countries on the list.");

  // The team's audit log has the change in words.
  await page.goto("/team/audit");
  await expect(page.getByText("SMS and voice settings changed").filter({ visible: true }).first()).toBeVisible();
  await expect(page.getByText(/Countries added: India/).filter({ visible: true }).first()).toBeVisible();

  // An admin sees the settings, read-only, with who can change them.
  const adminAccount = newAccount("Ada Admin");
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await acceptAsNewAccount(admin, await inviteMember(page, adminAccount.email), adminAccount);
  await page.goto("/team/members");
  await waitForReady(page);
  await page.getByRole("button", { name: `Actions for ${adminAccount.name}` }).click();
  const menu = page.getByRole("dialog", { name: `Actions for ${adminAccount.name}` });
  await menu.getByLabel("Role").selectOption("admin");
  await menu.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("members-notice")).toHaveText(/is now admin\./);

  // Accepting the invitation made the owner's team the admin's current one.
  await openSettings(admin);
  await expect(admin.getByTestId("owners-only")).toContainText("Only owners can change these settings");
  await expect(admin.getByTestId("sms-country-count")).toHaveText("21 countries on the list.");
  await expect(admin.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await expect(admin.getByLabel("Add a country")).toHaveCount(0);
  await expect(admin.getByTestId("voipMembers-state")).toHaveText("allowed");
  await expect(admin.getByTestId("voipApi-state")).toHaveText("refused");
  await scanBothWidths(admin, "/team/sms (admin, read-only)", "sms-6-admin");
});
