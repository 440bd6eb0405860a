import { expect, test, type Page } from "@playwright/test";
import {
  enrollTotp,
  expectAccessible,
  finishRecoveryCodes,
  newAccount,
  readLatestMessage,
  screenshot,
  signOut,
  signUp,
  submitChallengeCode,
  TEST_PHONE,
  waitForForm,
  waitForReady,
  type Account,
} from "./helpers";

const INVALID_LINK = "This invitation link is invalid or has expired.";

/** Sends an invitation from /team/invitations and returns the link's path, read from the outbox. */
async function invite(page: Page, email: string, role: "member" | "admin"): Promise<string> {
  await page.goto("/team/invitations");
  await waitForForm(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Role").selectOption(role);
  // Required while the team allows SMS as a primary method, optional otherwise: given either way.
  await page.getByLabel("Phone number").fill(TEST_PHONE);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${email}. The link works once, for 7 days.`)).toBeVisible();
  const mail = await readLatestMessage(page, email, { contains: "/invite/" });
  const link = /https?:\/\/\S+\/invite\/[\w-]+/.exec(mail)?.[0];
  if (!link) throw new Error(`no invitation link in: ${mail}`);
  return new URL(link).pathname;
}

test("an owner invites an email; the invitee signs up with it, accepts, and works in the team", async ({ page }) => {
  test.setTimeout(120_000); // two accounts, two axe scans and a dozen round trips
  const owner: Account = newAccount("Olivia Owner");
  const teamName = `${owner.name}'s team`;
  await signUp(page, owner);
  // Changing the team's policy and inviting an admin need the owner's own second factor, confirmed.
  const totp = await enrollTotp(page);
  await finishRecoveryCodes(page);

  await page.goto("/team/invitations");
  await expect(page.getByRole("heading", { name: "Pending invitations" })).toBeVisible();
  await expect(page.getByText("No pending invitations.")).toBeVisible();

  // With SMS allowed as a primary method, the phone number is refused empty, with the reason, and nothing is sent.
  await page.goto("/team/security");
  await waitForForm(page);
  await page.getByLabel("SMS as a backup only").uncheck();
  await page.getByRole("button", { name: "Save policy" }).click();
  await waitForReady(page.getByRole("dialog", { name: "Confirm it's you" }));
  await submitChallengeCode(page, await totp.next());
  await expect(page.getByText("Policy saved.")).toBeVisible();
  await page.goto("/team/invitations");
  const invitee = newAccount("Ivan Invitee");
  await waitForForm(page);
  await page.getByLabel("Email", { exact: true }).fill(invitee.email);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(/^Enter their phone number: this team allows text-message \(SMS\) codes/)).toBeVisible();
  await expect(page.getByLabel("Phone number")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(invitee.email);
  await expectAccessible(page, "/team/invitations (errors)");

  const path = await invite(page, invitee.email, "admin");
  const row = page.getByTestId("pending-invitation").filter({ hasText: invitee.email });
  await expect(row).toContainText("Admin");
  await expect(row).toContainText(`Invited by ${owner.name}`);
  const mail = await readLatestMessage(page, invitee.email, { contains: "/invite/" });
  expect(mail).toContain(`${owner.name} (${owner.email}) invited you to join the team ${teamName} on Tessera as an admin.`);
  expect(mail).not.toContain("requires two-factor authentication");
  await signOut(page);

  const response = await page.goto(path);
  expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
  await expect(page.getByRole("heading", { name: `${owner.name} invited you to join ${teamName}` })).toBeVisible();
  await expect(page.getByText(`You'll join as an admin. The invitation is for ${invitee.email}.`)).toBeVisible();
  await expectAccessible(page, "/invite (signed out)");
  await page.getByRole("link", { name: "Create an account" }).click();

  await page.waitForURL("**/sign-up?**");
  await waitForForm(page);
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(invitee.email);
  await page.getByLabel("Name", { exact: true }).fill(invitee.name);
  await page.getByLabel("Password", { exact: true }).fill(invitee.password);
  await page.getByRole("button", { name: "Create account" }).click();

  await page.waitForURL(`**${path}`);
  await waitForForm(page);
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await page.waitForURL("**/dashboard");
  await expect(page.getByRole("heading", { name: `Welcome, ${invitee.name}` })).toBeVisible();
  await expect(page.getByTestId("team-switcher")).toContainText(teamName);
  await expect(page.getByRole("link", { name: "Team", exact: true })).toBeVisible(); // an admin of the current team

  await page.goto(path);
  await expect(page.getByText(INVALID_LINK)).toBeVisible();
  await expect(page.getByRole("button", { name: "Accept invitation" })).toHaveCount(0);
});

test("another signed-in account is told which one to use; a revoked link is dead", async ({ page }) => {
  test.setTimeout(120_000); // three axe scans
  const owner = newAccount("Owen Owner");
  await signUp(page, owner);
  const invitee = newAccount("Rita Revoked");
  const path = await invite(page, invitee.email, "member");

  await page.goto(path);
  await expect(page.getByText(`You're signed in as ${owner.email}. This invitation is for ${invitee.email}`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Accept invitation" })).toHaveCount(0);

  await expectAccessible(page, "/invite (another account)");

  await page.goto("/team/invitations");
  const row = page.getByTestId("pending-invitation").filter({ hasText: invitee.email });
  await row.locator("form[data-ready]").nth(1).waitFor();
  await expectAccessible(page, "/team/invitations (pending)");
  await row.getByRole("button", { name: `Revoke the invitation to ${invitee.email}` }).click();
  await expect(page.getByText("No pending invitations.")).toBeVisible();

  await page.goto(path);
  await expect(page.getByText(INVALID_LINK)).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to your dashboard" })).toBeVisible();
  await expectAccessible(page, "/invite (invalid)");
  await screenshot(page, "invite-invalid-signed-in");
});
