import { expect, test, type Page } from "@playwright/test";
import {
  enrollTotp,
  expectAccessible,
  extractCode,
  finishRecoveryCodes,
  ownerAndMember,
  readLatestMessage,
  screenshot,
  signInToChallenge,
  signOut,
  submitChallengeCode,
  waitForReady,
  type Account,
  type TotpDevice,
} from "./helpers";

const REQUEST_MAIL = "asked to reset two-factor authentication";

/** A screenshot at the current size and one 390 px wide (a phone), then back. */
async function shoot(page: Page, name: string) {
  await screenshot(page, name);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-390`);
  if (size) await page.setViewportSize(size);
}

/** The owner signs in with their app (a fresh factor, so no step-up prompt) and asks for the member's reset. */
async function requestReset(page: Page, owner: Account, ownerTotp: TotpDevice, member: Account) {
  await signInToChallenge(page, owner.email, owner.password);
  await submitChallengeCode(page, await ownerTotp.next());
  await page.waitForURL("**/dashboard");
  await page.goto("/team/members");
  await waitForReady(page);
  const row = page.getByTestId("member-row").filter({ hasText: member.email });
  await row.getByRole("button", { name: `Actions for ${member.name}` }).click();
  await page.getByRole("button", { name: "Reset two-factor authentication…" }).click();
  const dialog = page.getByRole("dialog", { name: `Reset ${member.name}'s two-factor authentication?` });
  await expect(dialog).toContainText("Nothing is removed now.");
  await screenshot(page, "admin-reset-dialog");
  await dialog.getByRole("button", { name: "Request reset" }).click();
  await expect(page.getByTestId("members-notice")).toContainText(`Reset requested for ${member.name}. Nothing was removed`);
  // Still on: nothing is removed until the member uses the reset.
  await expect(row.getByTestId("member-status")).toHaveText("On");
  await expect(row.getByTestId("member-reset")).toContainText("Reset pending");
  await shoot(page, "admin-reset-pending");
  await signOut(page);
  const mail = await readLatestMessage(page, member.email, { contains: REQUEST_MAIL });
  expect(mail).toContain(`Olivia Owner, an owner of Olivia Owner's team, ${REQUEST_MAIL} on your Tessera account. Nothing has been removed.`);
  const keep = /https?:\/\/\S+\/keep-2fa\/[\w-]+/.exec(mail)?.[0];
  if (!keep) throw new Error(`no keep link in: ${mail}`);
  return new URL(keep).pathname;
}

test("a member who lost their phone uses the admin's reset: password, a code to their address, a new app, the dashboard", async ({ page }) => {
  test.setTimeout(180_000);
  const { owner, ownerTotp, member } = await ownerAndMember(page);
  await requestReset(page, owner, ownerTotp, member);

  await signInToChallenge(page, member.email, member.password);
  const lost = page.getByRole("button", { name: /Lost your factors\?/ });
  await expect(lost).toBeVisible();
  await shoot(page, "admin-reset-challenge");
  await lost.click();
  await expect(page.getByRole("heading", { name: "Your admin reset your two-factor authentication" })).toBeVisible();
  await page.getByRole("button", { name: "Email me a code" }).click();
  await expect(page.getByText(/We sent a 6-digit code to/)).toBeVisible();
  await expectAccessible(page, "/sign-in/challenge (admin reset)");
  await shoot(page, "admin-reset-code");
  const code = extractCode(await readLatestMessage(page, member.email, { contains: "Entering this code removes" }));
  await page.getByLabel("Code from the email").fill(code);
  await page.getByRole("button", { name: "Verify and reset" }).click();

  // Held on the setup page until a new factor is enrolled.
  await page.waitForURL("**/setup-2fa");
  await page.goto("/dashboard");
  await page.waitForURL("**/setup-2fa");

  // Leaving without a new factor does not leave a password-only account: the next sign-in asks for a code again.
  await signOut(page);
  await signInToChallenge(page, member.email, member.password);
  await expect(page.getByRole("heading", { name: "Confirm it's you by email" })).toBeVisible();
  await shoot(page, "admin-reset-required");
  const before = await readLatestMessage(page, member.email, { contains: "Entering this code removes" });
  await page.getByRole("button", { name: "Email me a code" }).click();
  const again = extractCode(await readLatestMessage(page, member.email, { contains: "Entering this code removes", notText: before }));
  await page.getByLabel("Code from the email").fill(again);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await page.waitForURL("**/setup-2fa");
  await enrollTotp(page);
  await finishRecoveryCodes(page);
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${member.name}` })).toBeVisible();
  expect(await readLatestMessage(page, member.email, { contains: "The reset your team's admin asked for was just used" })).toContain("Set up a new second factor now");
});

test("“keep my 2FA” cancels a reset nobody asked for; opening the link alone changes nothing", async ({ page }) => {
  test.setTimeout(180_000);
  const { owner, ownerTotp, member } = await ownerAndMember(page);
  const keepPath = await requestReset(page, owner, ownerTotp, member);

  await signInToChallenge(page, member.email, member.password);
  await expect(page.getByRole("button", { name: /Lost your factors\?/ })).toBeVisible();

  // A mail scanner (or the member) opening the link: a GET, nothing canceled.
  const keep = await page.context().newPage();
  await keep.goto(keepPath);
  await expect(keep.getByRole("heading", { name: "Keep your two-factor authentication" })).toBeVisible();
  await waitForReady(keep);
  await expectAccessible(keep, "/keep-2fa");
  await shoot(keep, "keep-2fa");
  await page.reload();
  await waitForReady(page);
  await expect(page.getByRole("button", { name: /Lost your factors\?/ })).toBeVisible();

  // The button cancels it.
  await keep.getByRole("button", { name: "Keep my two-factor authentication" }).click();
  await expect(keep.getByTestId("keep-done")).toContainText("The reset was canceled.");
  await shoot(keep, "keep-2fa-done");
  await keep.reload();
  await expect(keep.getByText("There is nothing to cancel")).toBeVisible();
  await keep.close();

  await page.reload();
  await waitForReady(page);
  await expect(page.getByRole("button", { name: /Lost your factors\?/ })).toHaveCount(0);
  expect(await readLatestMessage(page, owner.email, { contains: "canceled it" })).toContain("Milo Member said they did not ask for the reset");
});
