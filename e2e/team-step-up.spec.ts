import { expect, test, type Page } from "@playwright/test";
import {
  acceptAsNewAccount,
  enrollTotp,
  expectAccessible,
  finishRecoveryCodes,
  inviteMember,
  newAccount,
  screenshot,
  signInToChallenge,
  signOut,
  submitChallengeCode,
  submitSignIn,
  uniqueEmail,
  waitForForm,
  waitForReady,
  type TotpDevice,
} from "./helpers";

/**
 * A session that has seen no second factor: signed in through a remembered device (the
 * cookie a thief would carry), so every team-wide change asks for the factor first.
 */
async function staleSession(page: Page, email: string, password: string) {
  await signOut(page);
  await submitSignIn(page, email, password);
  await page.waitForURL("**/dashboard");
}

/** Follows "Confirm it's you" to the step-up page, enters the app's code, and lands back on `back`. */
async function confirmItsYou(page: Page, totp: TotpDevice, back: string) {
  await page.getByRole("link", { name: "Confirm it's you" }).first().click();
  await page.waitForURL("**/settings/security/confirm**");
  await waitForReady(page);
  await submitChallengeCode(page, await totp.next());
  await page.waitForURL(`**${back}`);
}

test("credits, roles, removals, API keys and admin invitations each ask a stale session for the owner's factor, then work", async ({ browser }) => {
  test.setTimeout(300_000); // two accounts, four sign-ins and four TOTP codes, each in its own 30 s step
  const ownerAccount = newAccount("Stella Stepup");
  const memberAccount = newAccount("Milo Member");
  const owner = await (await browser.newContext()).newPage();
  const member = await (await browser.newContext()).newPage();

  await owner.goto("/sign-up");
  await waitForForm(owner);
  await owner.getByLabel("Name", { exact: true }).fill(ownerAccount.name);
  await owner.getByLabel("Email", { exact: true }).fill(ownerAccount.email);
  await owner.getByLabel("Password", { exact: true }).fill(ownerAccount.password);
  await owner.getByRole("button", { name: "Create account" }).click();
  await owner.waitForURL("**/dashboard");
  const totp = await enrollTotp(owner);
  await finishRecoveryCodes(owner);
  await acceptAsNewAccount(member, await inviteMember(owner, memberAccount.email), memberAccount);

  // Sign in once remembering this browser; from then on sign-ins skip the factor.
  await signOut(owner);
  await signInToChallenge(owner, ownerAccount.email, ownerAccount.password);
  await submitChallengeCode(owner, await totp.next(), { remember: true });
  await owner.waitForURL("**/dashboard");
  await staleSession(owner, ownerAccount.email, ownerAccount.password);

  // Credits: refused with the way to confirm, and nothing added; then added.
  await owner.goto("/team/credits");
  await waitForForm(owner);
  const balance = owner.getByTestId("credit-balance");
  const before = await balance.textContent();
  await owner.getByLabel("Credits to add").fill("250");
  await owner.getByRole("button", { name: "Add credits" }).click();
  await expect(owner.getByRole("alert").filter({ hasText: "For your security" })).toContainText("For your security, confirm it's you with your second factor first.");
  await expectAccessible(owner, "/team/credits (step-up)");
  await screenshot(owner, "team-step-up-credits");
  await owner.setViewportSize({ width: 390, height: 844 });
  await screenshot(owner, "team-step-up-credits-390");
  await owner.setViewportSize({ width: 1280, height: 900 });
  await expect(balance).toHaveText(before ?? "");
  await confirmItsYou(owner, totp, "/team/credits");
  await waitForForm(owner);
  await owner.getByLabel("Credits to add").fill("250");
  await owner.getByRole("button", { name: "Add credits" }).click();
  await expect(owner.getByText(/^Added 250 credits\./)).toBeVisible();

  // An API key made while confirmed, to revoke later.
  await owner.goto("/team/developers");
  await waitForForm(owner);
  await owner.getByLabel("Name", { exact: true }).fill("Production backend");
  await owner.getByRole("button", { name: "Create API key" }).click();
  await owner.getByTestId("new-api-key").getByRole("button", { name: "Done" }).click();

  // Roles and removal, on a stale session again.
  await staleSession(owner, ownerAccount.email, ownerAccount.password);
  await owner.goto("/team/members");
  const row = owner.getByTestId("member-row").filter({ hasText: memberAccount.email });
  const menu = owner.getByRole("dialog", { name: `Actions for ${memberAccount.name}` });
  await waitForReady(owner);
  await row.getByRole("button", { name: `Actions for ${memberAccount.name}` }).click();
  await menu.getByLabel("Role").selectOption("admin");
  await menu.getByRole("button", { name: "Save", exact: true }).click();
  const notice = owner.getByTestId("members-notice");
  await expect(notice).toContainText("For your security, confirm it's you with your second factor first.");
  await expect(notice.getByRole("link", { name: "Confirm it's you" })).toBeVisible();
  await screenshot(owner, "team-step-up-role");
  await row.getByRole("button", { name: `Actions for ${memberAccount.name}` }).click();
  await owner.getByRole("button", { name: "Remove from team…" }).click();
  const removal = owner.getByRole("dialog", { name: `Remove ${memberAccount.name} from ${ownerAccount.name}'s team?` });
  await removal.getByRole("button", { name: "Remove member" }).click();
  await expect(removal.getByRole("alert")).toContainText("For your security, confirm it's you with your second factor first.");
  await expectAccessible(owner, "/team/members (removal step-up)");
  await screenshot(owner, "team-step-up-remove");
  await owner.setViewportSize({ width: 390, height: 844 });
  await screenshot(owner, "team-step-up-remove-390");
  await owner.setViewportSize({ width: 1280, height: 900 });
  await expect(row).toContainText("Member");
  await removal.getByRole("link", { name: "Confirm it's you" }).click();
  await owner.waitForURL("**/settings/security/confirm**");
  await waitForReady(owner);
  await submitChallengeCode(owner, await totp.next());
  await owner.waitForURL("**/team/members**");
  await waitForReady(owner);
  await row.getByRole("button", { name: `Actions for ${memberAccount.name}` }).click();
  await menu.getByLabel("Role").selectOption("admin");
  await menu.getByRole("button", { name: "Save", exact: true }).click();
  await expect(notice).toHaveText(/is now admin\./);

  // Revoking a key and inviting an admin, stale again: both refused until confirmed.
  await staleSession(owner, ownerAccount.email, ownerAccount.password);
  await owner.goto("/team/developers");
  await waitForReady(owner);
  await owner.getByRole("button", { name: "Revoke Production backend" }).click();
  const revoke = owner.getByRole("dialog", { name: "Revoke “Production backend”?" });
  await revoke.getByRole("button", { name: "Revoke key" }).click();
  await expect(revoke.getByRole("alert")).toContainText("For your security, confirm it's you");
  await expect(revoke.getByRole("link", { name: "Confirm it's you" })).toBeVisible();
  await screenshot(owner, "team-step-up-revoke");
  await revoke.getByRole("button", { name: "Cancel" }).click();
  await expect(owner.getByTestId("api-key-status")).toHaveText("Active");

  await owner.goto("/team/invitations");
  await waitForForm(owner);
  await owner.getByLabel("Email", { exact: true }).fill(uniqueEmail("admin"));
  await owner.getByLabel("Role").selectOption("admin");
  await owner.getByLabel("Phone number").fill("+1 415 555 2671");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("alert").filter({ hasText: "For your security" })).toContainText("For your security, confirm it's you");
  await screenshot(owner, "team-step-up-invite");
  await expect(owner.getByTestId("pending-invitation")).toHaveCount(0);

  // The audit log: the owner's sign-in that passed 2FA, by time only; the credits they added, with where from.
  await owner.goto("/team/audit");
  await expect(owner.getByText("Passed two-factor authentication at sign-in").filter({ visible: true }).first()).toBeVisible();
  await expect(owner.getByText("SMS credits added").filter({ visible: true }).first()).toBeVisible();
  await screenshot(owner, "team-audit-log");
  await owner.setViewportSize({ width: 390, height: 844 });
  await screenshot(owner, "team-audit-log-390");
});
